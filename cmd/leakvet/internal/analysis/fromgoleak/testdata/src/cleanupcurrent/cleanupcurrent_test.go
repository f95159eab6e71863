package cleanupcurrent // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent(), goleak.RunOnFailure(), goleak.Cleanup(teardown)) // want `goleak.VerifyTestMain with goleak.Cleanup becomes`
}

func teardown(code int) {}
