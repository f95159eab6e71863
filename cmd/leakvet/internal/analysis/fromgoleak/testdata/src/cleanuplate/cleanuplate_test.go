package cleanuplate // want package:"goleakUser"

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {})) // want `goleak.VerifyTestMain with goleak.Cleanup that is not the last statement of its function`
	os.Exit(0)
}

func runMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(makeCleanup())) // want `goleak.Cleanup with a function that is computed by a call`
}

func twice(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(os.Exit), goleak.Cleanup(os.Exit)) // want `two goleak.Cleanup options`
}

func makeCleanup() func(int) { return os.Exit }
