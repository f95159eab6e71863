package misuse // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestCleanupInVerifyNone(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.Cleanup(func(int) {})) // want `goleak.Cleanup outside the arguments of goleak.VerifyTestMain: translate it by hand`
}

func TestRunOnFailure(t *testing.T) {
	if err := goleak.Find(goleak.RunOnFailure()); err != nil { // want `goleak.Find fails when given goleak.RunOnFailure, an option of VerifyTestMain only: remove it`
		t.Fatal(err)
	}
}

func TestEmptyName(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("")) // want `goleak.IgnoreTopFunction with an empty name ignores nothing, and leakcheck rejects it: remove it`
}

func TestBlankName(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreAnyFunction("a. b")) // want `goleak.IgnoreAnyFunction\("a. b"\) ignores nothing`
}

func TestGo(t *testing.T) {
	go goleak.VerifyNone(t) // want `goleak.VerifyNone in a go statement: translate it by hand`
}
