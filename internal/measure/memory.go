package measure

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// MemoryEnv is the package leakcheck's variable of the same name.
const MemoryEnv = "LEAKCHECK_MEMORY"

// Setting returns whether MemoryEnv asks for measuring, and an error for
// a value it does not know (measuring stays on).
func Setting() (on bool, err error) {
	return runtimeread.Switch(MemoryEnv, "measuring the memory leaks hold")
}

// maxMeasureCost bounds the time a failing check may spend measuring the
// memory its leaks hold, as heapdump.Estimate predicts it: the heap dump
// stops the world, and a report must not come a minute late. A heap of
// 1 GiB, half of it in 64-byte objects, predicts 4.3 s and takes 5 s on a
// 2-core machine (bench/memcost), and must be measured; the heap bound is
// heapdump.MaxHeapBytes (2 GiB).
const maxMeasureCost = 8 * time.Second

// A Report is what a failing check measured of the memory its
// leaks hold: per published group (kind and test), per kind, and in all;
// or, when it did not measure, why.
type Report struct {
	byGroup map[*publish.Group]publish.Held
	byKind  map[string]publish.Held // by fingerprint
	all     publish.Held            // together, heap shared between kinds included
	skipped string                  // why nothing was measured; "" when measured
	// rerun names what was, or would have been, run again in a new
	// process to measure, such as "TestX"; "" when this process measured.
	rerun string
	// pending reports that the rerun is under way and publishes the
	// figures itself, as "leakcheck: memory held by the leaks of
	// subject"; again is the rerun to start.
	pending bool
	subject string
	again   *Rerun
}

// ProvenReason says why this process cannot take a heap dump.
const ProvenReason = "the runtime has proven goroutines of this process leaked, and its heap dump" +
	" cannot include them (runtime/debug.WriteHeapDump stops the program on their status)"

// rerunWhy says why a rerun measures.
const rerunWhy = "this process's heap dump cannot include goroutines the runtime has proven leaked"

// Measure measures what each group holds, on the failure path only:
// in a heap dump of this process; or, once the runtime has proven
// goroutines of this process leaked, which rules that dump out, it
// returns a pending report for a rerun of what again says to measure (nil:
// nothing can be rerun, as for Find), which StartRerun starts. Any
// problem makes the memory unknown, never a failed check.
func (s *State) Measure(groups []*publish.Group, subject string, again *Rerun) *Report {
	if on, _ := Setting(); !on {
		return &Report{skipped: MemoryEnv + " is off"}
	}
	m, proven := s.measureInProcess(groups)
	switch {
	case !proven:
		return m
	case again == nil:
		return &Report{skipped: ProvenReason + "; only a test can be run again to measure it, in a new process"}
	}
	return &Report{pending: true, subject: subject, again: again, rerun: again.name(groups)}
}

// measureInProcess takes a heap dump of this process and measures what
// each group holds. It skips a heap over heapdump.MaxHeapBytes and a dump
// predicted to cost over maxMeasureCost, and reports proven, measuring
// nothing, when the runtime has proven goroutines of this process leaked.
func (s *State) measureInProcess(groups []*publish.Group) (m *Report, proven bool) {
	// No proof may mark goroutines leaked between the look below and the
	// dump.
	s.Reader.Proofs.Lock()
	defer s.Reader.Proofs.Unlock()
	if s.Reader.Proofs.Found || s.anyProven() {
		return nil, true
	}
	heap, _, cost := heapdump.Estimate()
	switch {
	case heap > heapdump.MaxHeapBytes:
		return &Report{skipped: fmt.Sprintf("the heap holds %s, over the %s that leakcheck measures",
			report.FormatBytes(heap), report.FormatBytes(heapdump.MaxHeapBytes))}, false
	case cost > maxMeasureCost:
		return &Report{skipped: fmt.Sprintf("measuring would take about %v, over the %v that leakcheck spends",
			cost.Round(100*time.Millisecond), maxMeasureCost)}, false
	}
	ids := make([][]uint64, len(groups))
	for i, gr := range groups {
		for _, g := range gr.Goroutines {
			ids[i] = append(ids[i], g.ID)
		}
	}
	res, err := heapDumpOf(ids)
	if err != nil {
		return &Report{skipped: "the heap dump could not be read: " + err.Error()}, false
	}
	held := make([]publish.Held, len(groups))
	for i := range groups {
		h := res.Groups[i]
		held[i] = publish.Held{Stack: h.StackAllocatedBytes, Heap: h.RetainedHeapBytes, Largest: h.Largest}
		if held[i].Stack == 0 {
			held[i].Stack = h.StackBytes
		}
	}
	return newMemoryReport(groups, held, res.RetainedHeapBytes), false
}

// newMemoryReport gathers what each group holds (held, in the order of
// groups) by group, by kind and in all; heap is what they hold together,
// the heap that kinds share included.
func newMemoryReport(groups []*publish.Group, held []publish.Held, heap uint64) *Report {
	m := &Report{byGroup: make(map[*publish.Group]publish.Held), byKind: make(map[string]publish.Held)}
	for i, gr := range groups {
		m.byGroup[gr] = held[i]
		k := m.byKind[gr.Fingerprint]
		k.Add(held[i])
		m.byKind[gr.Fingerprint] = k
		m.all.Add(held[i])
	}
	m.all.Heap = heap
	return m
}

// anyProven reports whether a goroutine of the process shows the
// runtime's "(leaked)" mark, which code outside leakcheck may have set by
// reading the goroutine leak profile.
func (s *State) anyProven() bool {
	if runtimeread.LeakProfile == nil {
		return false
	}
	snap, err := s.Reader.TakeSnapshot()
	if err != nil {
		return true // unknown: do not risk the dump
	}
	for i := range snap.Goroutines {
		if snap.Goroutines[i].Proven {
			return true
		}
	}
	return false
}

// heapDumpOf writes a heap dump to a temporary file, measures the groups
// of goroutine IDs in it, and removes the file.
func heapDumpOf(ids [][]uint64) (*heapdump.Result, error) {
	path, err := heapdump.Capture(os.TempDir())
	if path != "" {
		defer os.Remove(path)
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return heapdump.Measure(bufio.NewReaderSize(f, 1<<20), ids)
}

// Skipped says why nothing was measured, "" when it was.
func (m *Report) Skipped() string {
	if m == nil {
		return ""
	}
	return m.skipped
}

// Pending reports that a rerun measures the memory later.
func (m *Report) Pending() bool { return m != nil && m.pending }

// StartRerun starts the rerun that the pending report m asks for, which
// measures what the groups hold and publishes it as pub says. It returns
// m, or, when the rerun cannot start, a report saying why.
func (m *Report) StartRerun(groups []*publish.Group, pub publish.Publication) *Report {
	if reason := m.again.start(groups, pub); reason != "" {
		return &Report{skipped: reason, rerun: m.rerun}
	}
	return m
}

// Of returns what group gr holds, and whether it was measured.
func (m *Report) Of(gr *publish.Group) (publish.Held, bool) {
	if m == nil || m.skipped != "" || m.pending {
		return publish.Held{}, false
	}
	h, ok := m.byGroup[gr]
	return h, ok
}

// Header returns the report's first line's account of memory, such as
// ", holding 48.1 MiB", or "".
func (m *Report) Header() string {
	if m == nil || m.skipped != "" || m.pending {
		return ""
	}
	return ", holding " + report.FormatBytes(m.all.Total())
}

// KindLine describes the memory a kind of leak holds, as a line of its
// group in the report, or "" when nothing was measured.
func (m *Report) KindLine(fingerprint string) string {
	if m == nil || m.skipped != "" || m.pending {
		return ""
	}
	h, ok := m.byKind[fingerprint]
	if !ok {
		return ""
	}
	return h.Line()
}

// Note says, at the end of a report, what the leaks hold in all when
// they are of several kinds, where that was measured when it was a rerun,
// or why it was not measured.
func (m *Report) Note() string {
	if m == nil {
		return ""
	}
	if m.pending {
		return "\nMemory held by the leaked goroutines: measured in a rerun of " + m.rerun + " in a new process (" + rerunWhy +
			"), which does not hold this failure back: its figures follow as \"leakcheck: memory held by the leaks of " + m.subject + "\".\n"
	}
	if m.skipped != "" {
		why := ""
		if m.rerun != "" {
			why = ". leakcheck runs " + m.rerun + " again in a new process to measure, as " + rerunWhy
		}
		return "\nMemory held by the leaked goroutines: not measured: " + m.skipped + why + ".\n"
	}
	where := "in a heap dump taken after a garbage collection"
	if m.rerun != "" {
		where = "in a heap dump of a rerun of " + m.rerun + " in a new process, as " + rerunWhy
	}
	if len(m.byKind) < 2 {
		if m.rerun != "" {
			return "\nMemory held by the leaked goroutines: measured " + where + ".\n"
		}
		return "" // the header and the group say it all
	}
	return fmt.Sprintf("\nMemory held by the leaked goroutines: %s, what their exit would free: %s of stack and %s of heap that nothing else reaches"+
		" (measured %s).\n",
		report.FormatBytes(m.all.Total()), report.FormatBytes(m.all.Stack), report.FormatBytes(m.all.Heap), where)
}
