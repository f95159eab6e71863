package leakcheck

import (
	"go/build"
	"runtime"
	"slices"
	"testing"
)

// Features of the runtime that some tests need, by the Go version that
// brought them.
const (
	// goLabels: pprof labels in goroutine dumps (GODEBUG=tracebacklabels)
	// and the count of goroutines created (runtime/metrics), go1.26.
	goLabels = "go1.26"
)

// requireGo skips t unless the toolchain that built it, which is the one
// that runs the fixtures of the end-to-end tests too, is version
// ("go1.24") or later; what says what needs it.
func requireGo(t testing.TB, version, what string) {
	t.Helper()
	if !slices.Contains(build.Default.ReleaseTags, version) {
		t.Skipf("%s needs %s or later; this is %s", what, version, runtime.Version())
	}
}

// RequireGo and GoLabels are requireGo and goLabels for the external
// tests.
var RequireGo = requireGo

const GoLabels = goLabels

// CanProveLeaks reports, for the external tests, whether the runtime has
// the goroutine leak profile: go1.27, or go1.26 with the experiment, in
// the tests' environment, which the fixtures they run inherit.
func CanProveLeaks() bool { return LeakProfile != nil }
