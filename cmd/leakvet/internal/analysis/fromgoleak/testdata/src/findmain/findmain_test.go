package findmain // want package:"goleakUser"

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// In TestMain the caller of Find is the test runner: nothing to ignore.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := goleak.Find(); err != nil { // want `^goleak.Find becomes leakcheck.Find$`
		fmt.Println(err)
		code = 1
	}
	os.Exit(code)
}
