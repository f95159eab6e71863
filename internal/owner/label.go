package owner

import (
	"strconv"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// LabelKey is the pprof label that marks every goroutine started, at any
// depth, by a test that called Verify (runtimeread.LabelKey).
const LabelKey = runtimeread.LabelKey

// ScopeOf returns the scope ID in g's labels, or 0.
func ScopeOf(g *stack.Goroutine) uint64 {
	v, ok := g.Labels[LabelKey]
	if !ok {
		return 0
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	return id
}
