// Package testenv holds what the tests of every package of the library
// share: skipping a test that needs a newer toolchain, and the long runs'
// switch.
package testenv

import (
	"go/build"
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
