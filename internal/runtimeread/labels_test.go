package runtimeread

import (
	"context"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/require"
)

// TestSelfStackLabels reads the calling goroutine's labels from the
// goroutine profile: its record is told apart by readLabelsName, which
// must name the function that reads it.
func TestSelfStackLabels(t *testing.T) {
	own := func() map[string]string {
		labels := make(chan map[string]string)
		go func() { labels <- newTestReader().SelfStack().Labels }()
		return <-labels
	}
	pprof.Do(context.Background(), pprof.Labels("own", "yes", "k", "v w"), func(context.Context) {
		require.Equal(t, map[string]string{"own": "yes", "k": "v w"}, own())
	})
	require.Empty(t, own())
}

// TestSnapshotLabels finds the labels of blocked goroutines in a
// snapshot: goroutines of one stack with different labels take their
// creators'.
func TestSnapshotLabels(t *testing.T) {
	stop := make(chan struct{})
	var exited sync.WaitGroup
	defer exited.Wait()
	defer close(stop)
	wait := func() {
		defer exited.Done()
		<-stop
	}
	started := make(chan bool)
	spawn := func() {
		exited.Add(3)
		go wait()
		go wait()
		started <- true
		wait()
	}
	pprof.Do(context.Background(), pprof.Labels("lbl", "a"), func(context.Context) {
		go func() { spawn() }()
	})
	pprof.Do(context.Background(), pprof.Labels("lbl", "b"), func(context.Context) {
		go func() { spawn() }()
	})
	<-started
	<-started
	// A goroutine still on its way to block when the dump is taken has
	// another stack in the profile read after it: it is left undecided,
	// and a later dump, once it blocked, decides it.
	r := newTestReader()
	var counts map[string]int
	for range 1000 {
		snap, err := r.TakeSnapshot()
		require.NoError(t, err)
		counts = map[string]int{}
		for _, g := range snap.Goroutines {
			if v, ok := g.Labels["lbl"]; ok {
				counts[v]++
			}
		}
		if counts["a"]+counts["b"] == 6 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	require.Equal(t, map[string]int{"a": 3, "b": 3}, counts)
}

// TestAttachLabels decides goroutines of one stack with different labels
// through their creators, then by what is left, and leaves undecided
// what neither decides.
func TestAttachLabels(t *testing.T) {
	frames := []stack.Frame{{Function: "runtime.gopark", File: "proc.go", Line: 1}, {Function: "main.wait", File: "w.go", Line: 7}}
	other := []stack.Frame{{Function: "main.parent", File: "p.go", Line: 3}}
	a, b := map[string]string{"s": "1"}, map[string]string{"s": "2"}
	pl := profileLabels{
		self: map[string]string{"me": "x"},
		byStack: map[string][]labelCount{
			stackKey(frames[1:]): {{a, 2}, {b, 1}},
			stackKey(other):      {{a, 1}},
		},
	}
	gs := []stack.Goroutine{
		{ID: 1},
		{ID: 2, Frames: other},
		{ID: 3, ParentID: 2, Frames: frames},
		{ID: 4, ParentID: 99, Frames: frames},
		{ID: 5, ParentID: 98, Frames: frames},
	}
	attachLabels(gs, make([]bool, len(gs)), pl, func(uint64) string { return "" })
	require.Equal(t, pl.self, gs[0].Labels)
	require.Equal(t, a, gs[1].Labels)
	require.Equal(t, a, gs[2].Labels, "the creator's set")
	require.Nil(t, gs[3].Labels, "two sets left: no labels")
	require.Nil(t, gs[4].Labels)

	// The test goroutine 99's scope is 2: its goroutine takes that set,
	// and the last is decided by what is left.
	a[LabelKey], b[LabelKey] = "1", "2"
	pl.byStack[stackKey(frames[1:])] = []labelCount{{a, 2}, {b, 1}}
	for i := range gs {
		gs[i].Labels = nil
	}
	attachLabels(gs, make([]bool, len(gs)), pl, func(goid uint64) string {
		if goid == 99 {
			return "2"
		}
		return ""
	})
	require.Equal(t, a, gs[2].Labels)
	require.Equal(t, b, gs[3].Labels, "the set of the creator's scope")
	require.Equal(t, a, gs[4].Labels, "the one set left")
}

// newTestReader returns a Reader that knows no Verify scope.
func newTestReader() *Reader { return NewReader() }
