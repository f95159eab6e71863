package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakcheck/leakcheck/internal/stack"
)

func goroutine(id uint64, state string, proven bool, fns ...string) *stack.Goroutine {
	g := &stack.Goroutine{ID: id, State: state, Proven: proven, CreatedBy: stack.Frame{Function: "pkg.TestX", File: "/src/x_test.go", Line: 9}}
	for i, fn := range fns {
		g.Frames = append(g.Frames, stack.Frame{Function: fn, File: "/src/x.go", Line: 10 + i})
	}
	return g
}

func TestFingerprintIgnoresLinesAndIDs(t *testing.T) {
	a := goroutine(1, "chan send", false, "pkg.send", "pkg.run")
	b := goroutine(2, "chan send", true, "pkg.send", "pkg.run")
	b.Frames[0].Line = 77
	c := goroutine(3, "chan receive", false, "pkg.send", "pkg.run")
	assert.Equal(t, Fingerprint(a), Fingerprint(b))
	assert.NotEqual(t, Fingerprint(a), Fingerprint(c))
	assert.Regexp(t, `^[0-9a-f]{16}$`, Fingerprint(a))
}
