// Package helper checks through a helper that takes goleak.TestingT,
// which has no leakcheck counterpart.
package helper

import (
	"testing"

	"go.uber.org/goleak"
)

func checkLeaks(t goleak.TestingT) { goleak.VerifyNone(t) }

func TestWithHelper(t *testing.T) {
	checkLeaks(t)
}
