package testmain // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("a.b"), goleak.RunOnFailure()) // want `goleak.VerifyTestMain becomes leakcheck.VerifyTestMain`
}
