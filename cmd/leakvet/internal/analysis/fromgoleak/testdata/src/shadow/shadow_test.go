package shadow // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestShadow(t *testing.T) {
	leakcheck := "x"
	_ = leakcheck
	goleak.VerifyNone(t) // want `the new code needs the name leakcheck for package github.com/leakcheck/leakcheck, but here it means something else`
}
