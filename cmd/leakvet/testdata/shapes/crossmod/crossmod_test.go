// Package crossmod passes another module's goleak options on.
package crossmod

import (
	"testing"

	"example.com/harness"
	"go.uber.org/goleak"
)

func TestWithHarness(t *testing.T) {
	defer goleak.VerifyNone(t, harness.Options...)
}
