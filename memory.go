package leakcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/report"
)

// MemoryEnv names the environment variable that turns off measuring the
// memory leaked goroutines hold: "off" (or "0", "false"). Measuring takes
// a heap dump, which stops the world for about a second per GiB of heap,
// on the failure path only; a suite with many failing checks and a large
// heap may prefer to go without. Values are read as for [DeadlockEnv].
const MemoryEnv = "LEAKCHECK_MEMORY"

func memorySetting() (on bool, err error) {
	return switchSetting(MemoryEnv, "measuring the memory leaks hold")
}

// maxMeasureCost bounds the time a failing check may spend measuring the
// memory its leaks hold, as heapdump.Estimate predicts it: the heap dump
// stops the world, and a report must not come a minute late. A heap of
// 1 GiB, half of it in 64-byte objects, predicts 4.3 s and takes 5 s on a
// 2-core machine (bench/memcost), and must be measured; the heap bound is
// heapdump.MaxHeapBytes (2 GiB).
const maxMeasureCost = 8 * time.Second

// maxLargest bounds the largest objects listed per kind of leak;
// minLargestShown is the least size the text report lists, as smaller
// objects are rarely what makes a leak matter (the JSON lists them all).
const (
	maxLargest      = 3
	minLargestShown = 1 << 10
)

// A heldMemory is the memory some leaked goroutines hold.
type heldMemory struct {
	stack   uint64 // their stacks, as allocated
	heap    uint64 // heap objects nothing else reaches
	largest []heapdump.Object
}

// total is the memory their exit would free.
func (m heldMemory) total() uint64 { return m.stack + m.heap }

// add merges o into m, keeping the largest objects.
func (m *heldMemory) add(o heldMemory) {
	m.stack += o.stack
	m.heap += o.heap
	m.largest = append(m.largest, o.largest...)
	slices.SortStableFunc(m.largest, func(a, b heapdump.Object) int {
		switch {
		case a.Size > b.Size:
			return -1
		case a.Size < b.Size:
			return 1
		}
		return 0
	})
	if len(m.largest) > maxLargest {
		m.largest = m.largest[:maxLargest]
	}
}

// A memoryReport is what a failing check measured of the memory its
// leaks hold: per published group (kind and test), per kind, and in all;
// or, when it did not measure, why.
type memoryReport struct {
	byGroup map[*pubGroup]heldMemory
	byKind  map[string]heldMemory // by fingerprint
	all     heldMemory            // together, heap shared between kinds included
	skipped string                // why nothing was measured; "" when measured
}

// measureMemory takes a heap dump and measures what each group holds, on
// the failure path only. It skips a heap over heapdump.MaxHeapBytes and a
// dump predicted to cost over maxMeasureCost; any problem with the dump
// makes the memory unknown, never a failed check.
func measureMemory(groups []*pubGroup) *memoryReport {
	// No proof may mark goroutines leaked between the look below and the
	// dump.
	if on, _ := memorySetting(); !on {
		return &memoryReport{skipped: MemoryEnv + " is off"}
	}
	proofs.Lock()
	defer proofs.Unlock()
	if proofs.found || anyProven() {
		return &memoryReport{skipped: "the runtime has proven goroutines of this process leaked, and its heap dump" +
			" cannot include them (runtime/debug.WriteHeapDump stops the program on their status)"}
	}
	heap, _, cost := heapdump.Estimate()
	switch {
	case heap > heapdump.MaxHeapBytes:
		return &memoryReport{skipped: fmt.Sprintf("the heap holds %s, over the %s that leakcheck measures",
			report.FormatBytes(heap), report.FormatBytes(heapdump.MaxHeapBytes))}
	case cost > maxMeasureCost:
		return &memoryReport{skipped: fmt.Sprintf("measuring would take about %v, over the %v that leakcheck spends",
			cost.Round(100*time.Millisecond), maxMeasureCost)}
	}
	ids := make([][]uint64, len(groups))
	for i, gr := range groups {
		for _, g := range gr.goroutines {
			ids[i] = append(ids[i], g.ID)
		}
	}
	res, err := heapDumpOf(ids)
	if err != nil {
		return &memoryReport{skipped: "the heap dump could not be read: " + err.Error()}
	}
	m := &memoryReport{byGroup: make(map[*pubGroup]heldMemory), byKind: make(map[string]heldMemory)}
	for i, gr := range groups {
		h := res.Groups[i]
		held := heldMemory{stack: h.StackAllocatedBytes, heap: h.RetainedHeapBytes, largest: h.Largest}
		if held.stack == 0 {
			held.stack = h.StackBytes
		}
		m.byGroup[gr] = held
		k := m.byKind[gr.fingerprint]
		k.add(held)
		m.byKind[gr.fingerprint] = k
		m.all.add(held)
	}
	m.all.heap = res.RetainedHeapBytes // with the heap that kinds share
	return m
}

// anyProven reports whether a goroutine of the process shows the
// runtime's "(leaked)" mark, which code outside leakcheck may have set by
// reading the goroutine leak profile.
func anyProven() bool {
	if leakProfile == nil {
		return false
	}
	s, err := takeSnapshot()
	if err != nil {
		return true // unknown: do not risk the dump
	}
	for i := range s.goroutines {
		if s.goroutines[i].Proven {
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

// of returns what group gr holds, and whether it was measured.
func (m *memoryReport) of(gr *pubGroup) (heldMemory, bool) {
	if m == nil || m.skipped != "" {
		return heldMemory{}, false
	}
	h, ok := m.byGroup[gr]
	return h, ok
}

// header returns the report's first line's account of memory, such as
// ", holding 48.1 MiB", or "".
func (m *memoryReport) header() string {
	if m == nil || m.skipped != "" {
		return ""
	}
	return ", holding " + report.FormatBytes(m.all.total())
}

// kindLine describes the memory a kind of leak holds, as a line of its
// group in the report, or "" when nothing was measured.
func (m *memoryReport) kindLine(fingerprint string) string {
	if m == nil || m.skipped != "" {
		return ""
	}
	h, ok := m.byKind[fingerprint]
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "holds %s: %s of stack, %s of heap nothing else reaches",
		report.FormatBytes(h.total()), report.FormatBytes(h.stack), report.FormatBytes(h.heap))
	var shown []heapdump.Object
	for _, o := range h.largest {
		if o.Size >= minLargestShown {
			shown = append(shown, o)
		}
	}
	if len(shown) > 0 {
		b.WriteString(" (largest: ")
		for i, o := range shown {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(report.FormatBytes(o.Size))
			if len(o.Alloc) > 0 {
				a := o.Alloc[0]
				fmt.Fprintf(&b, " allocated at %s:%d", filepath.Base(a.File), a.Line)
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

// note says, at the end of a report of several kinds of leak, what they
// hold in all, or why that was not measured.
func (m *memoryReport) note() string {
	if m == nil {
		return ""
	}
	if m.skipped != "" {
		return "\nMemory held by the leaked goroutines: not measured: " + m.skipped + ".\n"
	}
	if len(m.byKind) < 2 {
		return "" // the header and the group say it all
	}
	return fmt.Sprintf("\nMemory held by the leaked goroutines: %s, what their exit would free: %s of stack and %s of heap that nothing else reaches"+
		" (measured in a heap dump taken after a garbage collection).\n",
		report.FormatBytes(m.all.total()), report.FormatBytes(m.all.stack), report.FormatBytes(m.all.heap))
}
