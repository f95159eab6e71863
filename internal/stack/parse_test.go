package stack

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures in testdata/dumps are written by testdata/dumpgen (real
// dumps, named after the Go release that wrote them) or by hand
// (synthetic-*.txt, for formats this machine cannot produce). The tests
// find goroutines by the generator's function names.

// headerPattern recognises header lines independently of the parser:
// "goroutine N [" and, in GOTRACEBACK=system crash dumps, "goroutine N gp=".
var headerPattern = regexp.MustCompile(`(?m)^goroutine (\d+) (?:\[|gp=)`)

// headerIDs returns the IDs of the header lines of dump, in order; an ID
// too large for uint64 is 0, as the parser documents.
func headerIDs(dump string) []uint64 {
	var ids []uint64
	for _, m := range headerPattern.FindAllStringSubmatch(dump, -1) {
		id, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			id = 0
		}
		ids = append(ids, id)
	}
	return ids
}

func readDump(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "dumps", name))
	require.NoError(t, err)
	return string(b)
}

// withFunction returns the goroutines that have a frame calling fn.
func withFunction(gs []Goroutine, fn string) []*Goroutine {
	var found []*Goroutine
	for i := range gs {
		for _, f := range gs[i].Frames {
			if f.Function == fn {
				found = append(found, &gs[i])
				break
			}
		}
	}
	return found
}

// mustFind returns the one goroutine with a frame calling fn, and that
// frame.
func mustFind(t *testing.T, gs []Goroutine, fn string) (*Goroutine, Frame) {
	t.Helper()
	found := withFunction(gs, fn)
	require.Len(t, found, 1, "goroutines calling %s", fn)
	for _, f := range found[0].Frames {
		if f.Function == fn {
			return found[0], f
		}
	}
	panic("unreachable")
}

func TestParseDumpFindsEveryHeader(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "dumps", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dump := readDump(t, filepath.Base(file))
			gs := Parse(dump)
			want := headerIDs(dump)
			got := make([]uint64, len(gs))
			for i, g := range gs {
				got[i] = g.ID
			}
			if len(want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, want, got)
		})
	}
}

// realReleases are the Go releases whose dumps dumpgen wrote.
var realReleases = []string{"go1.26", "go1.27"}

// generatorFile is the generator's source file, which every position of
// a generator frame names.
const generatorFile = "/testdata/dumpgen/main.go"

func TestParseDumpBasic(t *testing.T) {
	tests := []struct {
		fn     string // a generator function the goroutine calls
		state  string
		top    string // innermost frame
		locked bool
	}{
		{fn: "main.blockChanSend", state: "chan send", top: "main.blockChanSend"},
		{fn: "main.blockChanReceive", state: "chan receive", top: "main.blockChanReceive"},
		{fn: "main.blockSelect", state: "select", top: "main.blockSelect"},
		{fn: "main.blockSelectNoCases", state: "select (no cases)", top: "main.blockSelectNoCases"},
		{fn: "main.blockNilChanSend", state: "chan send (nil chan)", top: "main.blockNilChanSend"},
		{fn: "main.blockNilChanReceive", state: "chan receive (nil chan)", top: "main.blockNilChanReceive"},
		{fn: "main.blockMutexLock", state: "sync.Mutex.Lock", top: "internal/sync.runtime_SemacquireMutex"},
		{fn: "main.blockRWMutexRLock", state: "sync.RWMutex.RLock", top: "sync.runtime_SemacquireRWMutexR"},
		{fn: "main.blockRWMutexLock", state: "sync.RWMutex.Lock", top: "sync.runtime_SemacquireRWMutex"},
		{fn: "main.blockWaitGroupWait", state: "sync.WaitGroup.Wait", top: "sync.runtime_SemacquireWaitGroup"},
		{fn: "main.blockCondWait", state: "sync.Cond.Wait", top: "sync.runtime_notifyListWait"},
		{fn: "main.blockSleep", state: "sleep", top: "time.Sleep"},
		{fn: "main.blockAccept", state: "IO wait", top: "internal/poll.runtime_pollWait"},
		{fn: "main.blockAcceptSemacquire", state: "semacquire", top: "internal/poll.runtime_Semacquire"},
		{fn: "main.blockLockedToThread", state: "chan receive", top: "main.blockLockedToThread", locked: true},
		{fn: "main.(*waiter).wait", state: "chan receive", top: "main.(*waiter).wait"},
		{fn: "main.startClosure.func1", state: "chan receive", top: "main.startClosure.func1"},
		// An inlined frame: "main.inlinedReceive(...)" with no offset.
		{fn: "main.inlinedReceive", state: "chan receive", top: "main.inlinedReceive"},
	}
	for _, rel := range realReleases {
		t.Run(rel, func(t *testing.T) {
			gs := Parse(readDump(t, rel+"-basic.txt"))
			for _, tt := range tests {
				t.Run(tt.fn, func(t *testing.T) {
					g, f := mustFind(t, gs, tt.fn)
					assert.Equal(t, tt.state, g.State)
					assert.Equal(t, tt.top, g.TopFunction())
					assert.Equal(t, tt.locked, g.LockedToThread)
					assert.False(t, g.Proven)
					assert.False(t, g.durable)
					assert.Zero(t, g.bubble)
					assert.Zero(t, g.Wait)
					assert.Nil(t, g.Labels)
					assert.Nil(t, g.Ancestors)
					assert.Zero(t, g.ElidedFrames)
					assert.True(t, strings.HasSuffix(f.File, generatorFile), "file %q", f.File)
					assert.Positive(t, f.Line)
					assert.Contains(t, []string{"main.startBasic", "main.startClosure"}, g.CreatedBy.Function)
					assert.True(t, strings.HasSuffix(g.CreatedBy.File, generatorFile), "creator file %q", g.CreatedBy.File)
					assert.Positive(t, g.CreatedBy.Line)
					assert.Equal(t, uint64(1), g.ParentID, "started by the main goroutine")
					assert.True(t, strings.HasPrefix(g.Stack, "goroutine "+strconv.FormatUint(g.ID, 10)+" ["))
					assert.False(t, strings.HasSuffix(g.Stack, "\n"))
				})
			}

			t.Run("main", func(t *testing.T) {
				require.NotEmpty(t, gs)
				g := gs[0] // the goroutine calling runtime.Stack comes first
				assert.Equal(t, uint64(1), g.ID)
				assert.Equal(t, "running", g.State)
				assert.Equal(t, "main.stackAll", g.TopFunction())
				assert.Equal(t, "main.main", g.EntryFunction())
				assert.Empty(t, g.CreatedBy.Function, "the main goroutine has no creator")
				assert.Zero(t, g.ParentID)
			})
			t.Run("busy", func(t *testing.T) {
				g, _ := mustFind(t, gs, "main.busyLoop")
				assert.Contains(t, []string{"running", "runnable"}, g.State)
			})
			t.Run("generic", func(t *testing.T) {
				found := withFunction(gs, "main.blockGeneric[...]")
				require.Len(t, found, 2, "one per instantiation")
				for _, g := range found {
					assert.Equal(t, "chan receive", g.State)
					assert.Equal(t, "main.blockGeneric[...]", g.TopFunction())
				}
			})
			t.Run("inlined", func(t *testing.T) {
				g, f := mustFind(t, gs, "main.inlinedReceive")
				require.Len(t, g.Frames, 2)
				assert.Equal(t, "main.blockInlined", g.Frames[1].Function)
				// The inlined frame's position has no "+0x" offset.
				assert.True(t, strings.HasSuffix(f.File, generatorFile))
				assert.Positive(t, f.Line)
			})
			t.Run("deep", func(t *testing.T) {
				g, _ := mustFind(t, gs, "main.recurse")
				assert.Equal(t, "chan receive", g.State)
				// 151 calls of recurse (depth 150 down to 0): the
				// runtime prints the innermost and the outermost 50.
				assert.Equal(t, 100, len(g.Frames))
				assert.Equal(t, 51, g.ElidedFrames)
				for _, f := range g.Frames {
					assert.Equal(t, "main.recurse", f.Function)
					assert.Positive(t, f.Line)
				}
			})
			t.Run("orphan", func(t *testing.T) {
				g, _ := mustFind(t, gs, "main.orphan")
				assert.Equal(t, "main.spawnOrphan.func1", g.CreatedBy.Function)
				require.NotZero(t, g.ParentID)
				for _, other := range gs {
					assert.NotEqual(t, g.ParentID, other.ID, "the creator exited before the dump")
				}
			})
		})
	}
}

func TestParseDumpLabels(t *testing.T) {
	scope := map[string]string{"scope": "test/TestBasic"}
	tests := []struct {
		fn     string
		labels map[string]string
	}{
		{"main.blockChanSend", scope},
		{"main.blockMutexLock", scope},
		{"main.blockLockedToThread", scope},
		{"main.orphan", scope}, // inherited through a goroutine that exited
		{"main.labelSpaces", map[string]string{"with space": "a b  c"}},
		{"main.labelQuotes", map[string]string{`quote"key`: `say "hi" \ back\slash`, "tab\tnl": "line1\nline2\r"}},
		{"main.labelUnicode", map[string]string{"ключ": "日本語 ✓", "emoji": "🙂"}},
		{"main.labelBrackets", map[string]string{"k]": "v]:", "br}": "{x}", "open[": "]]"}},
		{"main.labelSeparators", map[string]string{"a, b": "c: d, e", "x": "y, z: w"}},
		{"main.labelEmpty", map[string]string{"empty": "", "plain": "ok.v1/x_y"}},
		{"main.labelReplaced", map[string]string{"only": "this"}},
	}
	for _, rel := range realReleases {
		t.Run(rel, func(t *testing.T) {
			gs := Parse(readDump(t, rel+"-labels.txt"))
			for _, tt := range tests {
				t.Run(tt.fn, func(t *testing.T) {
					g, _ := mustFind(t, gs, tt.fn)
					assert.Equal(t, tt.labels, g.Labels)
					// Label text must not leak into the state.
					assert.NotContains(t, g.State, "{")
					assert.NotContains(t, g.State, "labels")
				})
			}
			t.Run("lock with labels", func(t *testing.T) {
				g, _ := mustFind(t, gs, "main.blockLockedToThread")
				assert.True(t, g.LockedToThread)
			})
			t.Run("main", func(t *testing.T) {
				// pprof.Do(context.Background(), ...) restored the empty
				// label set it was given on the main goroutine.
				assert.Nil(t, gs[0].Labels)
				assert.Equal(t, "running", gs[0].State)
			})
		})
	}
}

func TestParseDumpProven(t *testing.T) {
	tests := []struct {
		fn, state string
		leaked    bool
	}{
		{"main.leakChanSend", "chan send", true},
		{"main.leakChanReceive", "chan receive", true},
		{"main.leakSelect", "select", true},
		{"main.leakMutexLock", "sync.Mutex.Lock", true},
		{"main.leakWaitGroupWait", "sync.WaitGroup.Wait", true},
		{"main.leakCondWait", "sync.Cond.Wait", true},
		{"main.leakNilChanReceive", "chan receive (nil chan)", true},
		// Its channel is a global: blocked, but not provably leaked.
		{"main.blockChanReceive", "chan receive", false},
	}
	for _, file := range []string{"go1.26exp-leaked.txt", "go1.27-leaked.txt"} {
		t.Run(file, func(t *testing.T) {
			gs := Parse(readDump(t, file))
			for _, tt := range tests {
				t.Run(tt.fn, func(t *testing.T) {
					g, f := mustFind(t, gs, tt.fn)
					assert.Equal(t, tt.state, g.State)
					assert.Equal(t, tt.leaked, g.Proven)
					assert.True(t, Provable(g.State))
					assert.Contains(t, []string{"main.startLeaks", "main.writeVariant"}, g.CreatedBy.Function)
					assert.True(t, strings.HasSuffix(f.File, generatorFile))
					assert.Positive(t, f.Line)
				})
			}
			assert.False(t, gs[0].Proven, "the running goroutine")
		})
	}
}

func TestParseDumpSynctest(t *testing.T) {
	const pkg = "github.com/leakcheck/leakcheck/testdata/dumpgen."
	tests := []struct {
		fn, state string
	}{
		{"bubbleChanReceive", "chan receive"},
		{"bubbleChanSend", "chan send"},
		{"bubbleSelect", "select"},
		{"bubbleSleep", "sleep"},
		{"bubbleWaitGroupWait", "sync.WaitGroup.Wait"},
	}
	for _, rel := range realReleases {
		t.Run(rel, func(t *testing.T) {
			gs := Parse(readDump(t, rel+"-synctest.txt"))
			for _, tt := range tests {
				t.Run(tt.fn, func(t *testing.T) {
					g, f := mustFind(t, gs, pkg+tt.fn)
					assert.Equal(t, tt.state, g.State)
					assert.True(t, g.durable)
					assert.Equal(t, uint64(1), g.bubble)
					assert.False(t, g.Proven)
					assert.True(t, strings.HasSuffix(f.File, "/testdata/dumpgen/synctest_test.go"), f.File)
					assert.Equal(t, pkg+"TestSynctestDump.func1", g.CreatedBy.Function)
					assert.NotZero(t, g.ParentID)
				})
			}
			t.Run("bubble root", func(t *testing.T) {
				g, _ := mustFind(t, gs, pkg+"stackAll")
				assert.Equal(t, "running", g.State)
				assert.False(t, g.durable)
				assert.Equal(t, uint64(1), g.bubble)
			})
			t.Run("outside", func(t *testing.T) {
				g, _ := mustFind(t, gs, "testing.runTests.func1")
				assert.Equal(t, "chan receive", g.State)
				assert.Zero(t, g.bubble)
				assert.False(t, g.durable)
			})
			t.Run("synctest.Run", func(t *testing.T) {
				g, _ := mustFind(t, gs, "internal/synctest.Run")
				assert.Equal(t, "synctest.Run", g.State)
				assert.True(t, g.durable)
			})
		})
	}
}

func TestParseDumpAncestors(t *testing.T) {
	for _, rel := range realReleases {
		t.Run(rel, func(t *testing.T) {
			gs := Parse(readDump(t, rel+"-ancestors.txt"))
			l1, _ := mustFind(t, gs, "main.ancestorLevel1")
			l2, _ := mustFind(t, gs, "main.ancestorLevel2")
			l3, f := mustFind(t, gs, "main.ancestorLevel3")

			assert.Equal(t, []uint64{1}, l1.Ancestors)
			assert.Equal(t, []uint64{l1.ID, 1}, l2.Ancestors)
			assert.Equal(t, []uint64{l2.ID, l1.ID, 1}, l3.Ancestors)

			// The ancestors' stacks are not the goroutine's frames, and
			// their "created by" lines do not replace its creator.
			require.Len(t, l3.Frames, 1)
			assert.True(t, strings.HasSuffix(f.File, generatorFile))
			assert.Equal(t, "main.ancestorLevel2", l3.CreatedBy.Function)
			assert.Equal(t, l2.ID, l3.ParentID)
			assert.True(t, strings.HasSuffix(l3.CreatedBy.File, generatorFile))
			assert.Equal(t, "main.ancestorsDump", l1.CreatedBy.Function)
			assert.Equal(t, uint64(1), l1.ParentID)
			assert.Nil(t, gs[0].Ancestors)
			assert.Contains(t, l3.Stack, "[originating from goroutine 1]:", "Stack keeps the ancestors")

			// The ancestors' functions, nearest creator first.
			assert.Equal(t, []string{"main.ancestorLevel1", "main.ancestorsDump", "main.writeVariant", "main.main"}, AncestorFunctions(l2))
			assert.Nil(t, AncestorFunctions(&gs[0]))
		})
	}
}

func TestParseDumpSystem(t *testing.T) {
	for _, rel := range realReleases {
		t.Run(rel, func(t *testing.T) {
			dump := readDump(t, rel+"-system.txt")
			require.True(t, strings.HasPrefix(dump, "panic: "), "a crash dump")
			gs := Parse(dump)
			require.NotEmpty(t, gs)
			assert.Equal(t, uint64(1), gs[0].ID)
			assert.Equal(t, "running", gs[0].State)
			assert.Equal(t, "panic", gs[0].TopFunction())

			g, f := mustFind(t, gs, "main.blockChanSend")
			assert.Equal(t, "chan send", g.State)
			assert.Equal(t, "runtime.gopark", g.TopFunction(), "runtime frames are shown")
			assert.True(t, strings.HasSuffix(f.File, generatorFile), f.File)
			assert.Positive(t, f.Line)
			assert.Equal(t, "main.startBasic", g.CreatedBy.Function)

			g, _ = mustFind(t, gs, "main.blockLockedToThread")
			assert.True(t, g.LockedToThread)
			assert.Equal(t, "chan receive", g.State)

			g, _ = mustFind(t, gs, "runtime.forcegchelper")
			assert.Equal(t, "force gc (idle)", g.State)

			for _, g := range gs {
				for _, f := range g.Frames {
					assert.NotContains(t, f.File, " ")
					assert.NotContains(t, f.Function, "gp=")
				}
			}
		})
	}
}

func TestParseDumpSynthetic(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		assert.Empty(t, Parse(readDump(t, "synthetic-empty.txt")))
		assert.Empty(t, Parse(""))
		assert.Empty(t, Parse("\n\n"))
		assert.Empty(t, Parse("no goroutines here\n"))
	})
	t.Run("old created by", func(t *testing.T) {
		gs := Parse(readDump(t, "synthetic-old-created-by.txt"))
		require.Len(t, gs, 3)
		g := gs[1]
		assert.Equal(t, uint64(18), g.ID)
		assert.Equal(t, "chan receive", g.State)
		assert.Equal(t, 3*time.Minute, g.Wait)
		assert.Equal(t, Frame{Function: "main.main", File: "/home/user/old/main.go", Line: 10}, g.CreatedBy)
		assert.Zero(t, g.ParentID, "no 'in goroutine' before go1.21")
		g = gs[2]
		assert.Equal(t, "semacquire", g.State)
		assert.Equal(t, time.Minute, g.Wait)
		assert.Equal(t, 1, g.ElidedFrames, "...additional frames elided...")
		require.Len(t, g.Frames, 3)
		assert.Equal(t, Frame{Function: "main.oldRecursive", File: "/home/user/old/main.go", Line: 40}, g.Frames[2])
		assert.Equal(t, "main.main", g.CreatedBy.Function)
	})
	t.Run("crlf", func(t *testing.T) {
		gs := Parse(readDump(t, "synthetic-crlf.txt"))
		require.Len(t, gs, 2)
		assert.Equal(t, []Frame{{Function: "main.main", File: "/tmp/crlf/main.go", Line: 5}}, gs[0].Frames)
		g := gs[1]
		assert.Equal(t, uint64(7), g.ID)
		assert.Equal(t, "chan send", g.State)
		assert.Equal(t, 2*time.Minute, g.Wait)
		assert.Equal(t, map[string]string{"k": "v", "x y": "1"}, g.Labels)
		assert.Equal(t, []Frame{{Function: "main.crlfSender", File: "/tmp/crlf/main.go", Line: 9}}, g.Frames)
		assert.Equal(t, Frame{Function: "main.main", File: "/tmp/crlf/main.go", Line: 4}, g.CreatedBy)
		assert.Equal(t, uint64(1), g.ParentID)
		assert.False(t, strings.HasSuffix(g.Stack, "\r"))
		assert.False(t, strings.HasSuffix(gs[0].Stack, "\r"))
	})
	t.Run("truncated", func(t *testing.T) {
		gs := Parse(readDump(t, "synthetic-truncated.txt"))
		require.Len(t, gs, 3)
		g := gs[1]
		assert.Equal(t, "select", g.State)
		// The frame cut mid-name is dropped rather than misreported.
		assert.Equal(t, []Frame{{Function: "main.truncatedWorker", File: "/tmp/trunc/main.go", Line: 20}}, g.Frames)
		g = gs[2]
		assert.Equal(t, uint64(9), g.ID)
		// Cut in the position: the function is known, the line is not.
		assert.Equal(t, []Frame{{Function: "main.cutInLocation", File: "/tmp/trunc/ma"}}, g.Frames)
	})
	t.Run("garbage", func(t *testing.T) {
		gs := Parse(readDump(t, "synthetic-garbage.txt"))
		ids := []uint64{1, 12, 13, 15, 16}
		require.Len(t, gs, len(ids))
		for i, id := range ids {
			assert.Equal(t, id, gs[i].ID)
		}
		assert.Equal(t, []Frame{{Function: "main.main", File: "/tmp/garbage/main.go", Line: 5}}, gs[0].Frames,
			"log lines are not frames")
		assert.Equal(t, []Frame{
			{Function: "internal/poll.runtime_pollWait", File: "/usr/local/go/src/runtime/netpoll.go", Line: 351},
			{Function: "main.garbageReader", File: "/tmp/garbage/main.go", Line: 30},
		}, gs[1].Frames)
		assert.Equal(t, uint64(1), gs[1].ParentID)

		// A header right after a log line, without the blank line.
		g := gs[2]
		assert.Equal(t, "running", g.State)
		assert.Nil(t, g.Frames, "stack unavailable")
		assert.Equal(t, "main.main", g.CreatedBy.Function)
		assert.Contains(t, g.Stack, "goroutine 14 chan send:", "not a header: kept as text")

		// A header cut before its closing bracket.
		assert.Equal(t, "sync.Mutex.Lock", gs[3].State)

		g = gs[4]
		assert.Equal(t, "select", g.State)
		assert.True(t, g.Proven)
		assert.Equal(t, 5*time.Minute, g.Wait)
		assert.True(t, g.LockedToThread)
		assert.Equal(t, uint64(3), g.bubble)
		assert.Equal(t, []Frame{
			{Function: "main.garbageSelect", File: "/tmp/garbage/main.go", Line: 40},
			{Function: "non-Go function at pc=0x7f2a00001234"},
			{Function: "main.garbageCaller", File: "/tmp/garbage/main.go", Line: 45},
		}, g.Frames)
	})
	t.Run("big IDs", func(t *testing.T) {
		gs := Parse(readDump(t, "synthetic-bigid.txt"))
		require.Len(t, gs, 3)
		assert.Equal(t, uint64(1<<32+1), gs[0].ID)
		assert.Equal(t, uint64(1<<64-1), gs[0].ParentID)
		assert.Equal(t, uint64(1<<64-1), gs[1].ID)
		assert.Equal(t, 1440*time.Minute, gs[1].Wait)
		assert.Zero(t, gs[1].ParentID, "out of range")
		assert.Zero(t, gs[2].ID, "out of range")
		assert.Equal(t, "sleep", gs[2].State)
	})
}

func TestParseDumpOwnProcess(t *testing.T) {
	// The running test binary's own dump, in whatever format this
	// release writes.
	block := make(chan struct{})
	defer close(block)
	go func() { <-block }()
	buf := make([]byte, 1<<20)
	var found []*Goroutine
	// The new goroutine is runnable until it reaches the receive: dump
	// again until it blocks.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		dump := string(buf[:runtime.Stack(buf, true)])
		gs := Parse(dump)
		require.Len(t, gs, len(headerIDs(dump)))
		found = withFunction(gs, "github.com/leakcheck/leakcheck/internal/stack.TestParseDumpOwnProcess.func1")
		if len(found) == 1 && found[0].State == "chan receive" || time.Now().After(deadline) {
			break
		}
	}
	require.Len(t, found, 1)
	assert.Equal(t, "chan receive", found[0].State)
	assert.Equal(t, "github.com/leakcheck/leakcheck/internal/stack.TestParseDumpOwnProcess", found[0].CreatedBy.Function)
	assert.True(t, strings.HasSuffix(found[0].Frames[0].File, "/parse_test.go"))
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		line string
		want Goroutine
	}{
		{"goroutine 1 [running]:", Goroutine{ID: 1, State: "running"}},
		{"goroutine 19 [chan send (leaked), 3 minutes, locked to thread]:",
			Goroutine{ID: 19, State: "chan send", Proven: true, Wait: 3 * time.Minute, LockedToThread: true}},
		{"goroutine 7 [chan receive (durable), synctest bubble 12]:",
			Goroutine{ID: 7, State: "chan receive", durable: true, bubble: 12}},
		{"goroutine 7 [sleep (durable), 1 minutes, synctest bubble 2]:",
			Goroutine{ID: 7, State: "sleep", durable: true, Wait: time.Minute, bubble: 2}},
		{"goroutine 8 [chan receive (nil chan) (leaked) (scan)]:",
			Goroutine{ID: 8, State: "chan receive (nil chan)", Proven: true}},
		{"goroutine 9 [select (no cases)]:", Goroutine{ID: 9, State: "select (no cases)"}},
		{"goroutine 2 gp=0xc000007c00 m=nil [force gc (idle)]:", Goroutine{ID: 2, State: "force gc (idle)"}},
		{"goroutine 3 gp=0xc000002380 m=0 mp=0x6cc800 [running, locked to thread]:",
			Goroutine{ID: 3, State: "running", LockedToThread: true}},
		{`goroutine 19 [select labels:{"k": "v"}]:`,
			Goroutine{ID: 19, State: "select", Labels: map[string]string{"k": "v"}}},
		{`goroutine 19 [select, 2 minutes labels:{"a]": "]:", "b": "x, y"}]:`,
			Goroutine{ID: 19, State: "select", Wait: 2 * time.Minute, Labels: map[string]string{"a]": "]:", "b": "x, y"}}},
		{`goroutine 19 [chan send (leaked)] {k: v}:`,
			Goroutine{ID: 19, State: "chan send", Proven: true, Labels: map[string]string{"k": "v"}}},
		{`goroutine 19 [chan send, 4 minutes] {"a b": "}", k: , z: "\u00e9"}:`,
			Goroutine{ID: 19, State: "chan send", Wait: 4 * time.Minute, Labels: map[string]string{"a b": "}", "k": "", "z": "é"}}},
		{"goroutine 5 [", Goroutine{ID: 5, State: "unknown"}},
		{"goroutine 5 []:", Goroutine{ID: 5, State: "unknown"}},
		{"goroutine 5 gp=0x1 m=nil", Goroutine{ID: 5, State: "unknown"}},
		{"goroutine 5 [x, 99999999999999999999 minutes, -3 minutes, x minutes]:", Goroutine{ID: 5, State: "x"}},
		{"goroutine 5 [x, 153722867280912930 minutes]:", Goroutine{ID: 5, State: "x"}}, // overflows Duration
		{"goroutine 5 [x, synctest bubble z]:", Goroutine{ID: 5, State: "x"}},
		{"goroutine 18446744073709551616 [x]:", Goroutine{ID: 0, State: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var g Goroutine
			parseHeader(&g, tt.line)
			assert.Equal(t, tt.want, g)
		})
	}
}

func TestIsHeader(t *testing.T) {
	for line, want := range map[string]bool{
		"goroutine 1 [running]:":           true,
		"goroutine 1 [":                    true,
		"goroutine 12 gp=0x1 m=nil [x]:":   true,
		"goroutine 1 [running]:\nmore":     true,
		"goroutine  1 [running]:":          false,
		"goroutine 1[running]:":            false,
		"goroutine x [running]:":           false,
		"goroutine [running]:":             false,
		"goroutine 1 running:":             false,
		"goroutine 1":                      false,
		"goroutine ":                       false,
		" goroutine 1 [running]:":          false,
		"\tgoroutine running on other thr": false,
		"Goroutine 1 [running]:":           false,
		"":                                 false,
	} {
		assert.Equal(t, want, isHeader(line), "%q", line)
	}
}

func TestParseLabels(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{``, nil},
		{`"k": "v"`, map[string]string{"k": "v"}},
		{`k: v`, map[string]string{"k": "v"}},
		{`a: 1, b: 2`, map[string]string{"a": "1", "b": "2"}},
		{`"a, b": "c: d, e", x: "y, z: w"`, map[string]string{"a, b": "c: d, e", "x": "y, z: w"}},
		{`"q\"k": "say \"hi\" \\"`, map[string]string{`q"k`: `say "hi" \`}},
		{`"t": "a\tb\nc\rd\x01\u00e9\U0001f642"`, map[string]string{"t": "a\tb\nc\rd\x01é🙂"}},
		{`"bad": "\xff"`, map[string]string{"bad": "\xff"}}, // go1.27 escapes invalid UTF-8 this way
		{`empty: , plain: ok.v1/x_y`, map[string]string{"empty": "", "plain": "ok.v1/x_y"}},
		{`: `, map[string]string{"": ""}},
		{`: v`, map[string]string{"": "v"}},
		{`k: `, map[string]string{"k": ""}},
		{`"unterminated: v`, map[string]string{"unterminated: v": ""}},
		{`"bad escape \q": v`, map[string]string{`bad escape \q`: "v"}},
		{`k: "unterminated`, map[string]string{"k": "unterminated"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, parseLabels(tt.in))
		})
	}
}

func TestFunctionName(t *testing.T) {
	for line, want := range map[string]string{
		"main.main()": "main.main",
		"net/http.(*conn).serve(0xc000120000, {0x7d2a08, 0x1})": "net/http.(*conn).serve",
		"main.F[...](0x1?, {0x2, 0x3}, ...)":                    "main.F[...]",
		"main.inlined(...)":                                     "main.inlined",
		"main.(*T[...]).M.func1.2()":                            "main.(*T[...]).M.func1.2",
		"gopkg.in/yaml%2ev3.(*parser).parse(0x1)":               "gopkg.in/yaml%2ev3.(*parser).parse",
		"panic({0x5500c0?, 0x597c00?})":                         "panic",
		"non-Go function at pc=0x1":                             "non-Go function at pc=0x1",
		"main.cut(0x1, 0x2":                                     "main.cut(0x1, 0x2",
		"()":                                                    "()",
		"(":                                                     "(",
		")":                                                     ")",
		"x)":                                                    "x)",
	} {
		assert.Equal(t, want, functionName(line), "%q", line)
	}
}

func TestParseFileLine(t *testing.T) {
	tests := []struct {
		loc  string
		file string
		line int
	}{
		{"/src/x.go:12 +0x1d", "/src/x.go", 12},
		{"/src/x.go:12", "/src/x.go", 12},
		{"/src/x.go:12 +0x1d fp=0xc0001 sp=0xc0002 pc=0x4844ef", "/src/x.go", 12},
		{"/src/x.go:12 fp=0xc0001 sp=0xc0002 pc=0x4844ef", "/src/x.go", 12},
		{`C:\src\x.go:7 +0x1`, `C:\src\x.go`, 7},
		{"/path with space/x.go:3 +0x1", "/path with space/x.go", 3},
		{"/src/x.go", "/src/x.go", 0},
		{"/src/x.go:", "/src/x.go:", 0},
		{"/src/x.go:-1", "/src/x.go:-1", 0},
		{"/src/x.go:99999999999999999999", "/src/x.go:99999999999999999999", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		file, line := parseFileLine(tt.loc)
		assert.Equal(t, tt.file, file, "%q", tt.loc)
		assert.Equal(t, tt.line, line, "%q", tt.loc)
	}
}

// TestParseDumpStackIsBlock checks that each goroutine's Stack is its
// block of the dump, so that blocks put back together give the dump's
// goroutine text.
func TestParseDumpStackIsBlock(t *testing.T) {
	dump := readDump(t, "go1.27-basic.txt")
	gs := Parse(dump)
	var parts []string
	for _, g := range gs {
		parts = append(parts, g.Stack)
	}
	assert.Equal(t, strings.TrimRight(dump, "\n"), strings.Join(parts, "\n\n"))
}

func TestParseDumpFramesDoNotAlias(t *testing.T) {
	gs := Parse(readDump(t, "go1.26-basic.txt"))
	require.GreaterOrEqual(t, len(gs), 2)
	next := gs[1].Frames[0]
	gs[0].Frames = append(gs[0].Frames, Frame{Function: "user.appended"})
	assert.Equal(t, next, gs[1].Frames[0], "an append to one goroutine's frames must not overwrite the next's")
}

// BenchmarkParseDump parses the dump of 10,000 goroutines blocked on a
// channel, the size at which goleak's parser takes ~84 ms.
func BenchmarkParseDump(b *testing.B) {
	const n = 10000
	dump, dumpTime := dumpOfBlocked(n)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	var gs []Goroutine
	for range b.N {
		gs = Parse(dump)
	}
	b.StopTimer()
	// The parse should cost well under the dump it parses.
	b.ReportMetric(float64(dumpTime.Nanoseconds()), "dump-ns")
	if len(gs) < n {
		b.Fatalf("parsed %d goroutines, want at least %d", len(gs), n)
	}
}

// dumpOfBlocked returns a dump of this process while n more goroutines
// wait on a channel, and how long the dump took; the goroutines have
// exited when it returns.
func dumpOfBlocked(n int) (dump string, took time.Duration) {
	block := make(chan struct{})
	var started, stopped sync.WaitGroup
	started.Add(n)
	stopped.Add(n)
	for range n {
		go func() {
			defer stopped.Done()
			started.Done()
			<-block
		}()
	}
	started.Wait()
	buf := make([]byte, 8<<20)
	for {
		start := time.Now()
		size := runtime.Stack(buf, true)
		took = time.Since(start)
		if size < len(buf) {
			dump = string(buf[:size])
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	close(block)
	stopped.Wait()
	return dump, took
}
