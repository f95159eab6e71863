package heapdump_test

import (
	"fmt"
	"os"

	"github.com/leakcheck/leakcheck/internal/heapdump"
)

// Measuring the memory two groups of leaked goroutines hold, given their
// IDs from a goroutine dump.
func Example() {
	leaked := [][]uint64{{17, 18, 19}, {42}}
	if heap, _, _ := heapdump.Estimate(); heap > heapdump.MaxHeapBytes {
		return // too big to dump in a test
	}
	path, err := heapdump.Capture("")
	if err != nil {
		return
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	r, err := heapdump.Measure(f, leaked)
	if err != nil {
		return
	}
	for k, g := range r.Groups {
		fmt.Printf("group %d: %d goroutines, %d B of stack, %d B of heap held alone\n", k, g.Goroutines, g.StackBytes, g.RetainedHeapBytes)
		for _, o := range g.Largest {
			if len(o.Alloc) > 0 {
				fmt.Printf("  %d B allocated at %s:%d\n", o.Size, o.Alloc[0].File, o.Alloc[0].Line)
			}
		}
	}
	fmt.Printf("%d B held by the groups together, %d B of it shared\n", r.RetainedHeapBytes, r.SharedHeapBytes)
}
