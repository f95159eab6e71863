package leakcheck

import (
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/testenv"
)

// RequireGo and GoLabels are the shared test helpers (internal/testenv),
// for the external tests.
var RequireGo = testenv.RequireGo

const GoLabels = testenv.GoLabels

// CanProveLeaks reports, for the external tests, whether the runtime has
// the goroutine leak profile: go1.27, or go1.26 with the experiment, in
// the tests' environment, which the fixtures they run inherit.
func CanProveLeaks() bool { return runtimeread.LeakProfile != nil }
