package owner

import (
	"testing"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
)

// A goroutine that carries the testing package's test.name label (Go
// proposal 75047) is named after it, subtest and all, when no Verify
// scope owns it.
func TestTestNameLabel(t *testing.T) {
	snap := &runtimeread.Snapshot{Goroutines: []stack.Goroutine{
		{ID: 7, State: "chan send", Labels: map[string]string{"test.name": "TestPool/leaky"},
			CreatedBy: stack.Frame{Function: "example.com/pkg.spawn"}, ParentID: 3},
	}}
	r := NewResolver(snap, nil)
	assert.Equal(t, "TestPool/leaky", r.TestName(&snap.Goroutines[0]))
}
