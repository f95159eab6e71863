package values // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

var check = goleak.VerifyNone // want `goleak.VerifyNone used as a value: call it directly, or translate this use by hand`

var current = goleak.IgnoreCurrent // want `goleak.IgnoreCurrent used as a value`

func helper(t goleak.TestingT) { // want `goleak.TestingT has no leakcheck counterpart: use testing.TB, which leakcheck.Verify takes`
	check(t)
}

func TestValues(t *testing.T) {
	helper(t)
	_ = current
}
