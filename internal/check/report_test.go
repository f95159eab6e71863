package check

import (
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Find called inside a test checks the whole program, and its report
// says in which test it ran, rather than reading as a process-wide check
// next to a goroutine it names that test for.
func TestFindNamesItsTest(t *testing.T) {
	ch := make(chan int)
	go func() { <-ch }()
	defer close(ch)
	leaks, report, err := Find(testConfig(maxWait(50 * time.Millisecond)))
	require.NoError(t, err)
	require.NotEmpty(t, leaks)
	assert.True(t, strings.HasPrefix(report, "leakcheck: the program, checked by Find in TestFindNamesItsTest, leaked "), report)
	assert.Equal(t, "the program", findSubject(&stack.Goroutine{}))
}

// A check that waited its wait out gives one figure for it: the status
// of each kind and the note say the same wait, not the wait and the few
// milliseconds the last look took past it.
func TestReportOneWaitFigure(t *testing.T) {
	g := &stack.Goroutine{ID: 9, State: "chan receive", CreatedBy: stack.Frame{Function: "example.com/pkg.Start"},
		Frames: []stack.Frame{{Function: "example.com/pkg.loop", File: "/src/pkg/pkg.go", Line: 3}}}
	v := verdict{leaks: []*stack.Goroutine{g}, snap: &runtimeread.Snapshot{Goroutines: []stack.Goroutine{*g}}, waited: 433 * time.Millisecond, limit: 432 * time.Millisecond}
	out := formatReport("TestX", v, nil)
	assert.Contains(t, out, "still there after 432ms")
	assert.Contains(t, out, "This check waited its 432ms (MaxWait) for them")
	assert.NotContains(t, out, "433ms")
}
