package api

import (
	"testing"

	"go.uber.org/goleak"
)

func TestDefaults(t *testing.T) {
	defer goleak.VerifyNone(t, Defaults().LeakOptions...)
}
