// Package runtimeread reads the runtime for the checks: the goroutine
// dump with pprof labels, parsed; the runtime's counts of goroutines alive
// and created; and the goroutine leak profile's proofs, where the
// toolchain has it.
package runtimeread

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
	"unsafe"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A Snapshot is what one read of the runtime saw: every goroutine, and
// the runtime's counters read just before the dump, so that later
// readings tell whether goroutines started or exited since (see
// exitedSince).
type Snapshot struct {
	Goroutines []stack.Goroutine
	Live       int    // runtime.NumGoroutine, read after created
	Created    uint64 // goroutines created since program start; 0 if unknown

	idsOnce sync.Once
	ids     []uint64 // sorted goroutine IDs, see SortedIDs
}

// SortedIDs returns the IDs of a snapshot's goroutines in order, for
// binary search. It sorts once per snapshot; callers must not modify the
// result.
func (s *Snapshot) SortedIDs() []uint64 {
	s.idsOnce.Do(func() {
		s.ids = make([]uint64, len(s.Goroutines))
		for i := range s.Goroutines {
			s.ids[i] = s.Goroutines[i].ID
		}
		slices.Sort(s.ids)
	})
	return s.ids
}

func ContainsID(sorted []uint64, id uint64) bool {
	_, found := slices.BinarySearch(sorted, id)
	return found
}

// HasChildOf reports whether a goroutine in s was started by parent.
func (s *Snapshot) HasChildOf(parent uint64) bool {
	for i := range s.Goroutines {
		if s.Goroutines[i].ParentID == parent {
			return true
		}
	}
	return false
}

// defaultMaxDumpSize bounds the dump buffer. At about 250 bytes a
// goroutine, 1 GiB holds some four million goroutines; past that, reading
// them all would stall the program for seconds, and a check reports the
// problem instead of growing without limit.
const defaultMaxDumpSize = 1 << 30

// A Reader reads the runtime for the checks of a process. A process needs
// one (the package check keeps it in its process value): the checks share
// its buffers, its dumps, the labels it learned and what its proofs found.
// Its parts:
//
//   - Reading: the dump buffers and metrics samples, and the lock that
//     serializes every read (TakeSnapshot, SelfStack, LiveCounts,
//     NoteLabels);
//   - SharedDumps: the dumps that concurrent checks share (SnapshotAfter
//     fills it; the wait loop counts the checks that wait);
//   - Proofs: the leak proofs (ProveSettled fills it; measuring memory
//     reads whether one ever found a leak);
//   - InRerun, set once as a rerun starts, which keeps proofs off;
//   - MaxDumpSize, the bound of the dump buffer, lowered by tests;
//   - Scopes, set once as the process starts: the Verify scopes, for the
//     labels of the goroutines a test starts (labels.go);
//   - labels, what the reads of labels remember (labels.go).
type Reader struct {
	Reading     reading
	SharedDumps sharedDumps
	Proofs      proofs
	InRerun     bool
	MaxDumpSize int
	Scopes      ScopeIndex
	labels      labelMemory
}

// NewReader returns a Reader with no dump taken yet.
func NewReader() *Reader {
	return &Reader{
		Reading: reading{
			self:    make([]byte, 4096),
			created: []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}},
		},
		Proofs:      proofs{gcCPU: []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}},
		MaxDumpSize: defaultMaxDumpSize,
		labels:      labelMemory{known: map[uint64]map[string]string{}, runner: map[uint64]map[string]string{}},
	}
}

// reading holds what reading the runtime needs and must not share: the
// dump buffers, reused from dump to dump, what the dumps before parsed
// into, and the metrics sample. Its mutex serializes the reads;
// TakeSnapshot, SelfStack and LiveCounts hold it.
type reading struct {
	sync.Mutex
	All  []byte // the text of runtime.Stack(all)
	perG int    // bytes a goroutine took in the last dump of all, at least minPerG
	// parsed parses the dumps of all, reusing the blocks of goroutines
	// unchanged since the last: with thousands of goroutines waiting
	// where they waited, parsing would otherwise cost a third of a dump.
	parsed  stack.Memo
	self    []byte // the calling goroutine's stack
	created []metrics.Sample
}

// TakeSnapshot reads all goroutines with their pprof labels.
func (r *Reader) TakeSnapshot() (*Snapshot, error) {
	r.Reading.Lock()
	defer r.Reading.Unlock()
	created := r.goroutinesCreated()
	live := runtime.NumGoroutine()
	text, err := r.dumpAll()
	if err != nil {
		return nil, err
	}
	gs := r.Reading.parsed.Parse(text)
	r.readLabels(gs, true)
	return &Snapshot{Goroutines: gs, Live: live, Created: created}, nil
}

// dumpAll returns the text of runtime.Stack(buf, true), read in place in
// the dump buffer, which the next dump overwrites: only the Memo that
// parses it may read it (it keeps copies of what it keeps). The caller
// holds reading.
func (r *Reader) dumpAll() (string, error) {
	// Room for what a goroutine took last time, with a margin, and for
	// growth in between: a buffer found too small costs a whole dump
	// more, and goroutines whose creators' stacks the runtime records
	// (GODEBUG=tracebackancestors) take kilobytes each.
	live := runtime.NumGoroutine()
	want := min((live+64)*max(r.Reading.perG*5/4, minPerG), r.MaxDumpSize)
	if len(r.Reading.All) < want {
		r.Reading.All = make([]byte, want)
	}
	n, ok := r.readStack(&r.Reading.All, true)
	if !ok {
		return "", fmt.Errorf("leakcheck: the goroutine dump is larger than %s; too many goroutines to check", report.FormatBytes(uint64(r.MaxDumpSize)))
	}
	r.Reading.perG = n / max(live, 1)
	if n == 0 {
		return "", nil
	}
	// No copy of a dump of megabytes, which would cost as much as
	// parsing what changed since the last.
	return unsafe.String(&r.Reading.All[0], n), nil
}

// minPerG is the room a dump leaves for each goroutine at least: about
// twice what one takes without the creators' stacks.
const minPerG = 512

// readStack runs runtime.Stack into *buf, growing the buffer fourfold
// until the text fits; it reports false when the text still fills a
// buffer of MaxDumpSize. The caller holds reading.
func (r *Reader) readStack(buf *[]byte, all bool) (n int, ok bool) {
	for {
		n = runtime.Stack(*buf, all)
		if n < len(*buf) {
			return n, true
		}
		if len(*buf) >= r.MaxDumpSize {
			return n, false
		}
		*buf = make([]byte, min(4*len(*buf), r.MaxDumpSize)) // each failed try costs a full traceback
	}
}

// SelfStack returns the calling goroutine's header and whole stack with
// labels.
func (r *Reader) SelfStack() stack.Goroutine {
	r.Reading.Lock()
	defer r.Reading.Unlock()
	n, _ := r.readStack(&r.Reading.self, false) // past 1 GiB, the top of the stack is enough
	gs := stack.Parse(string(r.Reading.self[:n]))
	if len(gs) == 0 {
		return stack.Goroutine{}
	}
	r.readLabels(gs[:1], false)
	return gs[0]
}

// goroutinesCreated returns the number of goroutines created since the
// program started, or 0 when the runtime does not say. The caller holds
// reading.
func (r *Reader) goroutinesCreated() uint64 {
	metrics.Read(r.Reading.created)
	if r.Reading.created[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return r.Reading.created[0].Value.Uint64()
}

// LiveCounts reads the goroutine count, then the creation count: if both
// are unchanged since a snapshot, no goroutine started or ended since, so
// the snapshot's goroutine set is still exact.
func (r *Reader) LiveCounts() (live int, created uint64) {
	r.Reading.Lock()
	defer r.Reading.Unlock()
	live = runtime.NumGoroutine()
	return live, r.goroutinesCreated()
}

// LeakProfile is the runtime's goroutine leak profile, or nil where the
// toolchain lacks it (go1.26 without GOEXPERIMENT=goroutineleakprofile).
var LeakProfile = pprof.Lookup("goroutineleak")

// proofs serializes leak proofs with heap dumps, and remembers whether a
// proof ever found a leaked goroutine in this process: the runtime keeps
// such goroutines in a status that runtime/debug.WriteHeapDump does not
// know (go1.27.4 and go1.26 with the experiment stop the program with
// "dumpgs in STW - bad status"), so from then on no heap dump is safe.
// ProveSettled sets Found and leaked; measuring memory reads Found.
type proofs struct {
	sync.Mutex
	Found  bool
	leaked int // goroutines the last proof found leaked
	out    bytes.Buffer
	gcCPU  []metrics.Sample
}

// ProveLeaks is ProveSettled without the cost.
func (r *Reader) ProveLeaks(first bool) bool {
	ok, _ := r.ProveSettled(first)
	return ok
}

// ProveSettled runs the runtime's leak detection, a garbage collection
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
// internal/measure's rerunchild.go), and the processors' time the collections took, as the
// runtime estimates it (zero where it does not say).
func (r *Reader) ProveSettled(first bool) (ok bool, cost time.Duration) {
	if LeakProfile == nil || r.InRerun {
		return false, 0
	}
	r.Proofs.Lock()
	defer r.Proofs.Unlock()
	start, before := r.gcCPUSeconds(), r.Proofs.leaked
	ok = r.proveOnce()
	if ok && first && r.Proofs.leaked <= before {
		ok = r.proveOnce()
	}
	return ok, time.Duration(max(0, r.gcCPUSeconds()-start) * float64(time.Second))
}

// proveOnce runs one proof. The caller holds proofs.
func (r *Reader) proveOnce() bool {
	r.Proofs.out.Reset()
	if LeakProfile.WriteTo(&r.Proofs.out, 1) != nil {
		return false
	}
	// The text profile starts "goroutineleak profile: total N".
	first, _, _ := strings.Cut(r.Proofs.out.String(), "\n")
	_, total, _ := strings.Cut(first, " total ")
	r.Proofs.leaked, _ = strconv.Atoi(total)
	if r.Proofs.leaked > 0 {
		r.Proofs.Found = true
	}
	return true
}

// gcCPUSeconds returns the processors' time the garbage collector has
// taken since the program started, or 0 where the runtime does not say.
// The caller holds proofs.
func (r *Reader) gcCPUSeconds() float64 {
	metrics.Read(r.Proofs.gcCPU)
	if r.Proofs.gcCPU[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return r.Proofs.gcCPU[0].Value.Float64()
}
