package leakcheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A goroutine that carries the testing package's test.name label (Go
// proposal 75047) is named after it, subtest and all, when no Verify
// scope owns it.
func TestTestNameLabel(t *testing.T) {
	snap := &Snapshot{Goroutines: []Goroutine{
		{ID: 7, State: "chan send", Labels: map[string]string{"test.name": "TestPool/leaky"},
			CreatedBy: Frame{Function: "example.com/pkg.spawn"}, ParentID: 3},
	}}
	r := NewResolver(snap)
	assert.Equal(t, "TestPool/leaky", r.TestName(&snap.Goroutines[0]))
}
