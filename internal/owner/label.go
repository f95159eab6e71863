package owner

import (
	"strconv"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// LabelKey is the pprof label that marks every goroutine started, at any
// depth, by a test that called Verify. Its value is the scope ID.
const LabelKey = "leakcheck"

// ScopeOf returns the scope ID in g's labels, or 0.
func ScopeOf(g *stack.Goroutine) uint64 {
	v, ok := g.Labels[LabelKey]
	if !ok {
		return 0
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	return id
}
