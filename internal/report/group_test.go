package report

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func TestFingerprintIsHashOfKind(t *testing.T) {
	g := goroutine(1, "chan send", false, "pkg.send", "pkg.run")
	h := fnv.New64a()
	h.Write([]byte(kind(g)))
	assert.Equal(t, fmt.Sprintf("%016x", h.Sum64()), Fingerprint(g), "fingerprints must not change between releases")
}

// StackFingerprint is Fingerprint without the state: stable from run to
// run, equal for one goroutine asleep and woken, different for another
// stack or creator.
func TestStackFingerprint(t *testing.T) {
	asleep := goroutine(1, "sleep", false, "time.Sleep", "pkg.cleaner")
	woken := goroutine(2, "runnable", false, "time.Sleep", "pkg.cleaner")
	other := goroutine(3, "sleep", false, "time.Sleep", "pkg.janitor")
	h := fnv.New64a()
	h.Write([]byte(kind(&stack.Goroutine{Frames: asleep.Frames, CreatedBy: asleep.CreatedBy})))
	assert.Equal(t, fmt.Sprintf("%016x", h.Sum64()), StackFingerprint(asleep), "keys must not change between releases")
	assert.Equal(t, StackFingerprint(asleep), StackFingerprint(woken))
	assert.NotEqual(t, Fingerprint(asleep), Fingerprint(woken))
	assert.NotEqual(t, StackFingerprint(asleep), StackFingerprint(other))
	otherCreator := goroutine(4, "sleep", false, "time.Sleep", "pkg.cleaner")
	otherCreator.CreatedBy.Function = "pkg.TestY"
	assert.NotEqual(t, StackFingerprint(asleep), StackFingerprint(otherCreator))
}

func TestAggregatorMatchesGroupByKind(t *testing.T) {
	var gs []*stack.Goroutine
	for i := range 50 {
		switch {
		case i%5 == 0:
			gs = append(gs, goroutine(uint64(i+1), "select", false, "pkg.loop"))
		case i%2 == 0:
			gs = append(gs, goroutine(uint64(i+1), "chan send", i%4 == 0, "pkg.send", "pkg.run"))
		default:
			gs = append(gs, goroutine(uint64(i+1), "chan receive", false, "pkg.recv"))
		}
		gs[i].Wait = time.Duration(i) * time.Minute
	}
	want := GroupByKind(gs)
	a := Aggregator{MaxIDs: 3, LongWait: 30 * time.Minute}
	for _, g := range gs {
		a.Add(g, 1)
	}
	a.Add(gs[1], 0) // ignored
	got := a.Groups()
	require.Len(t, got, len(want))
	assert.Equal(t, 50, a.Total())
	for i := range want {
		assert.Equal(t, want[i].Fingerprint, got[i].Fingerprint)
		assert.Equal(t, want[i].Size(), got[i].Size())
		assert.Equal(t, want[i].Proven, got[i].Proven)
		assert.Equal(t, want[i].First().ID, got[i].First().ID)
		assert.Len(t, got[i].IDs, 3)
		k := DescribeGroup(got[i])
		assert.Equal(t, got[i].Size(), k.Count)
		assert.Equal(t, got[i].IDs, k.GoroutineIDs)
	}
	long := 0
	for _, gr := range got {
		long += gr.LongWaiting
	}
	assert.Equal(t, 20, long, "waits of 30 to 49 minutes")
}

func TestAggregatorCounts(t *testing.T) {
	var a Aggregator
	g := goroutine(0, "chan send", true, "pkg.send")
	a.Add(g, 7)
	a.Add(g, 3)
	gr := a.Groups()[0]
	assert.Equal(t, 10, gr.Size())
	assert.True(t, gr.AllProven())
	assert.Empty(t, gr.IDs, "profiles have no IDs")
	assert.Equal(t, []uint64{}, DescribeGroup(gr).GoroutineIDs, "an empty list, not null, in JSON")
}

// ProgramFingerprint keeps what an upgrade of Go leaves alone: the
// program's frames and its creator. Another runtime under the same
// program function (go1.27 renamed and moved what sits on top of a
// blocked select and a mutex wait) gives the same key; another program
// function or creator gives another. A goroutine without program frames
// is named by its standard library frames outside the runtime.
func TestProgramFingerprint(t *testing.T) {
	prog := func(top ...string) *stack.Goroutine {
		g := &stack.Goroutine{State: "select", CreatedBy: stack.Frame{Function: "example.com/pool.(*Pool).Start", File: "/src/pool/pool.go", Line: 9}}
		for _, fn := range top {
			g.Frames = append(g.Frames, stack.Frame{Function: fn, File: "/usr/local/go/src/runtime/x.go", Line: 1})
		}
		g.Frames = append(g.Frames,
			stack.Frame{Function: "example.com/pool.(*Pool).purge", File: "/src/pool/pool.go", Line: 40},
			stack.Frame{Function: "example.com/pool.(*Pool).Start.func1", File: "/src/pool/pool.go", Line: 10})
		return g
	}
	go126 := prog("runtime.gopark", "runtime.selectgo")
	go127 := prog("runtime.gopark", "runtime.selectgo1", "internal/runtime/sys.park")
	assert.NotEqual(t, StackFingerprint(go126), StackFingerprint(go127), "the runtime's frames differ")
	assert.Equal(t, ProgramFingerprint(go126), ProgramFingerprint(go127))
	caught := prog()
	caught.State = "runnable"
	assert.Equal(t, ProgramFingerprint(go126), ProgramFingerprint(caught), "neither the state nor the runtime's frames count")

	other := prog("runtime.gopark", "runtime.selectgo")
	other.Frames[2].Function = "example.com/pool.(*Pool).tick"
	assert.NotEqual(t, ProgramFingerprint(go126), ProgramFingerprint(other))
	otherCreator := prog("runtime.gopark", "runtime.selectgo")
	otherCreator.CreatedBy.Function = "example.com/pool.New"
	assert.NotEqual(t, ProgramFingerprint(go126), ProgramFingerprint(otherCreator))

	std := func(fns ...string) *stack.Goroutine {
		g := &stack.Goroutine{CreatedBy: stack.Frame{Function: "net/http.(*Transport).dialConn", File: "/usr/local/go/src/net/http/transport.go"}}
		for _, fn := range fns {
			g.Frames = append(g.Frames, stack.Frame{Function: fn, File: "/usr/local/go/src/net/http/transport.go", Line: 1})
		}
		return g
	}
	read126 := std("runtime.gopark", "runtime.netpollblock", "internal/poll.runtime_pollWait", "internal/poll.(*FD).Read", "net/http.(*persistConn).readLoop")
	read127 := std("runtime.gopark", "internal/poll.runtime_pollWait", "internal/poll.(*pollDesc).wait", "internal/poll.(*FD).Read", "net/http.(*persistConn).readLoop")
	write := std("runtime.gopark", "runtime.selectgo", "net/http.(*persistConn).writeLoop")
	assert.Equal(t, ProgramFingerprint(read126), ProgramFingerprint(read127))
	assert.NotEqual(t, ProgramFingerprint(read126), ProgramFingerprint(write))
}
