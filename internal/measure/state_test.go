package measure

import (
	"os"

	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// testState is this test binary's State, as internal/check's process
// holds one.
var testState = &State{Reader: runtimeread.NewReader(), JSONFiles: new(publish.JSONFiles), Output: os.Stdout}

// A rerun of this test binary (see TestRerunFailures) reads its request
// as the process starts, as internal/check's init does.
func init() { testState.ReadRequest() }
