package publish

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakcheck/leakcheck/internal/heapdump"
	"github.com/leakcheck/leakcheck/internal/report"
)

// maxLargest bounds the largest objects listed per kind of leak;
// minLargestShown is the least size the text report lists, as smaller
// objects are rarely what makes a leak matter (the JSON lists them all).
const (
	maxLargest      = 3
	minLargestShown = 1 << 10
)

// A Held is the memory some leaked goroutines hold.
type Held struct {
	Stack   uint64 // their stacks, as allocated
	Heap    uint64 // heap objects nothing else reaches
	Largest []heapdump.Object
}

// Total is the memory their exit would free.
func (m Held) Total() uint64 { return m.Stack + m.Heap }

// Add merges o into m, keeping the largest objects.
func (m *Held) Add(o Held) {
	m.Stack += o.Stack
	m.Heap += o.Heap
	m.Largest = append(m.Largest, o.Largest...)
	slices.SortStableFunc(m.Largest, func(a, b heapdump.Object) int {
		switch {
		case a.Size > b.Size:
			return -1
		case a.Size < b.Size:
			return 1
		}
		return 0
	})
	if len(m.Largest) > maxLargest {
		m.Largest = m.Largest[:maxLargest]
	}
}

// Line says what h holds, its largest objects included: "holds 2.2 KiB:
// 2.0 KiB of stack, 168 B of heap nothing else reaches".
func (h Held) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "holds %s: %s of stack, %s of heap nothing else reaches",
		report.FormatBytes(h.Total()), report.FormatBytes(h.Stack), report.FormatBytes(h.Heap))
	var shown []heapdump.Object
	for _, o := range h.Largest {
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
