package cleanup // want package:"goleakUser"

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	setup()
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("a.b"), goleak.Cleanup(func(code int) { // want `goleak.VerifyTestMain with goleak.Cleanup becomes m.Run, leakcheck.Find, the cleanup and os.Exit`
		teardown()
		os.Exit(code)
	}))
}

func setup()    {}
func teardown() {}
