package leakcheck

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A snapshot is what one read of the runtime saw: every goroutine, and
// the runtime's counters read just before the dump, so that later
// readings tell whether goroutines started or exited since (see
// exitedSince).
type snapshot struct {
	goroutines []Goroutine
	live       int    // runtime.NumGoroutine, read after created
	created    uint64 // goroutines created since program start; 0 if unknown

	idsOnce sync.Once
	ids     []uint64 // sorted goroutine IDs, see sortedIDs
}

// sortedIDs returns the IDs of a snapshot's goroutines in order, for
// binary search. It sorts once per snapshot; callers must not modify the
// result.
func (s *snapshot) sortedIDs() []uint64 {
	s.idsOnce.Do(func() {
		s.ids = make([]uint64, len(s.goroutines))
		for i := range s.goroutines {
			s.ids[i] = s.goroutines[i].ID
		}
		slices.Sort(s.ids)
	})
	return s.ids
}

func containsID(sorted []uint64, id uint64) bool {
	_, found := slices.BinarySearch(sorted, id)
	return found
}

// hasChildOf reports whether a goroutine in s was started by parent.
func (s *snapshot) hasChildOf(parent uint64) bool {
	for i := range s.goroutines {
		if s.goroutines[i].ParentID == parent {
			return true
		}
	}
	return false
}

// maxDumpSize bounds the dump buffer. At about 250 bytes a goroutine,
// 1 GiB holds some four million goroutines; past that, reading them all
// would stall the program for seconds, and a check reports the problem
// instead of growing without limit. A variable, so that tests can reach
// the limit.
var maxDumpSize = 1 << 30

// reading holds what reading the runtime needs and must not share: the
// dump buffers, reused from dump to dump, and the metrics sample. Its
// mutex serializes the reads; takeSnapshot,
// selfStack and liveCounts hold it.
var reading = struct {
	sync.Mutex
	all     []byte // the text of runtime.Stack(all)
	perG    int    // bytes a goroutine took in the last dump of all, at least minPerG
	self    []byte // the calling goroutine's stack
	created []metrics.Sample
}{
	self:    make([]byte, 4096),
	created: []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}},
}

// takeSnapshot reads all goroutines with their pprof labels (labels.go).
func takeSnapshot() (*snapshot, error) {
	reading.Lock()
	defer reading.Unlock()
	created := goroutinesCreated()
	live := runtime.NumGoroutine()
	text, err := dumpAll()
	if err != nil {
		return nil, err
	}
	gs := stack.Parse(text)
	readLabels(gs, true)
	return &snapshot{goroutines: gs, live: live, created: created}, nil
}

// dumpAll returns the text of runtime.Stack(buf, true). The caller holds
// reading.
func dumpAll() (string, error) {
	// Room for what a goroutine took last time, with a margin, and for
	// growth in between: a buffer found too small costs a whole dump
	// more, and goroutines whose creators' stacks the runtime records
	// (GODEBUG=tracebackancestors) take kilobytes each.
	live := runtime.NumGoroutine()
	want := min((live+64)*max(reading.perG*5/4, minPerG), maxDumpSize)
	if len(reading.all) < want {
		reading.all = make([]byte, want)
	}
	n, ok := readStack(&reading.all, true)
	if !ok {
		return "", fmt.Errorf("leakcheck: the goroutine dump is larger than %s; too many goroutines to check", report.FormatBytes(uint64(maxDumpSize)))
	}
	reading.perG = n / max(live, 1)
	return string(reading.all[:n]), nil
}

// minPerG is the room a dump leaves for each goroutine at least: about
// twice what one takes without the creators' stacks.
const minPerG = 512

// readStack runs runtime.Stack into *buf, growing the buffer fourfold
// until the text fits; it reports false when the text still fills a
// buffer of maxDumpSize. The caller holds reading.
func readStack(buf *[]byte, all bool) (n int, ok bool) {
	for {
		n = runtime.Stack(*buf, all)
		if n < len(*buf) {
			return n, true
		}
		if len(*buf) >= maxDumpSize {
			return n, false
		}
		*buf = make([]byte, min(4*len(*buf), maxDumpSize)) // each failed try costs a full traceback
	}
}

// selfStack returns the calling goroutine's header and whole stack with
// labels.
func selfStack() Goroutine {
	reading.Lock()
	defer reading.Unlock()
	n, _ := readStack(&reading.self, false) // past 1 GiB, the top of the stack is enough
	gs := stack.Parse(string(reading.self[:n]))
	if len(gs) == 0 {
		return Goroutine{}
	}
	readLabels(gs[:1], false)
	return gs[0]
}

// goroutinesCreated returns the number of goroutines created since the
// program started, or 0 when the runtime does not say. The caller holds
// reading.
func goroutinesCreated() uint64 {
	metrics.Read(reading.created)
	if reading.created[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return reading.created[0].Value.Uint64()
}

// liveCounts reads the goroutine count, then the creation count: if both
// are unchanged since a snapshot, no goroutine started or ended since, so
// the snapshot's goroutine set is still exact.
func liveCounts() (live int, created uint64) {
	reading.Lock()
	defer reading.Unlock()
	live = runtime.NumGoroutine()
	return live, goroutinesCreated()
}

// leakProfile is the runtime's goroutine leak profile, or nil where the
// toolchain lacks it (go1.26 without GOEXPERIMENT=goroutineleakprofile).
var leakProfile = pprof.Lookup("goroutineleak")

// proofs serializes leak proofs with heap dumps, and remembers whether a
// proof ever found a leaked goroutine in this process: the runtime keeps
// such goroutines in a status that runtime/debug.WriteHeapDump does not
// know (go1.27.4 and go1.26 with the experiment stop the program with
// "dumpgs in STW - bad status"), so from then on no heap dump is safe.
// proveSettled sets found and leaked; measureMemory reads found.
var proofs = struct {
	sync.Mutex
	found  bool
	leaked int // goroutines the last proof found leaked
	out    bytes.Buffer
	gcCPU  []metrics.Sample
}{gcCPU: []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}}

// proveLeaks is proveSettled without the cost.
func proveLeaks(first bool) bool {
	ok, _ := proveSettled(first)
	return ok
}

// proveSettled runs the runtime's leak detection, a garbage collection
// that marks goroutines blocked on unreachable primitives as leaked; the
// next dump shows them with "(leaked)". When it finds no more leaked
// goroutines than the last proof did, and it is the first proof about
// the goroutines at hand, it runs it once more at once: a collection
// keeps alive each processor's current tiny-allocation block (16 bytes
// that hold small objects without pointers, such as a sync.Mutex
// allocated alone), so a leak whose only wake-up is in such a block
// escapes the first proof, and every collection ends by retiring those
// blocks, so the second proof sees it; later proofs about the same
// goroutines come after such a collection. It returns whether the
// runtime could be asked (false where the runtime cannot prove leaks, and
// in a rerun, which must stay free of proofs to take its heap dump, see
// rerunchild.go), and the processors' time the collections took, as the
// runtime estimates it (zero where it does not say).
func proveSettled(first bool) (ok bool, cost time.Duration) {
	if leakProfile == nil || childRerun != nil {
		return false, 0
	}
	proofs.Lock()
	defer proofs.Unlock()
	start, before := gcCPUSeconds(), proofs.leaked
	ok = proveOnce()
	if ok && first && proofs.leaked <= before {
		ok = proveOnce()
	}
	return ok, time.Duration(max(0, gcCPUSeconds()-start) * float64(time.Second))
}

// proveOnce runs one proof. The caller holds proofs.
func proveOnce() bool {
	proofs.out.Reset()
	if leakProfile.WriteTo(&proofs.out, 1) != nil {
		return false
	}
	// The text profile starts "goroutineleak profile: total N".
	first, _, _ := strings.Cut(proofs.out.String(), "\n")
	_, total, _ := strings.Cut(first, " total ")
	proofs.leaked, _ = strconv.Atoi(total)
	if proofs.leaked > 0 {
		proofs.found = true
	}
	return true
}

// gcCPUSeconds returns the processors' time the garbage collector has
// taken since the program started, or 0 where the runtime does not say.
// The caller holds proofs.
func gcCPUSeconds() float64 {
	metrics.Read(proofs.gcCPU)
	if proofs.gcCPU[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return proofs.gcCPU[0].Value.Float64()
}
