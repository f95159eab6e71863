// Package testenv holds what the tests of every package of the library
// share: skipping a test that needs a newer toolchain, and the long runs'
// switch.
package testenv

import (
	"go/build"
	"os"
	"runtime"
	"slices"
	"testing"
)

// Features of the runtime that some tests need, by the Go version that
// brought them.
const (
	// GoLabels: pprof labels in goroutine dumps (GODEBUG=tracebacklabels)
	// and the count of goroutines created (runtime/metrics), go1.26.
	GoLabels = "go1.26"
)

// RequireGo skips t unless the toolchain that built it, which is the one
// that runs the fixtures of the end-to-end tests too, is version
// ("go1.24") or later; what says what needs it.
func RequireGo(t testing.TB, version, what string) {
	t.Helper()
	if !slices.Contains(build.Default.ReleaseTags, version) {
		t.Skipf("%s needs %s or later; this is %s", what, version, runtime.Version())
	}
}

// LongEnv names the environment variable that turns on the long tests:
// the end-to-end tests, which run "go test" on the packages under
// testdata as users do (the stress run and the parallel ownership run
// among them, minutes each on two cores). scripts/test.sh, which CI runs,
// sets it; "go test ./..." alone runs the rest in a minute or so.
const LongEnv = "LEAKCHECK_LONG"

// RequireLong skips t unless LongEnv is 1; what says what makes it long.
func RequireLong(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(LongEnv) != "1" {
		t.Skipf("%s; set %s=1 to run it (scripts/test.sh does)", what, LongEnv)
	}
}
