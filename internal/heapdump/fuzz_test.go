package heapdump

import (
	"bytes"
	"os"
	"runtime"
	"testing"
)

// FuzzMeasure feeds Measure real, synthetic, truncated and garbled
// dumps: it must return a result or an error, never panic, allocate in
// proportion to its input, and its results must add up.
func FuzzMeasure(f *testing.F) {
	path, err := Capture(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	real, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	e := newEncoder()
	e.everyRecord()
	every := e.eof()
	synthetic := syntheticDump()
	for _, d := range [][]byte{real, synthetic, every} {
		f.Add(d)
		f.Add(d[:len(d)/3])
		f.Add(d[:len(d)-1])
		for _, at := range []int{len(header), len(header) + 3, len(d) / 2, len(d) - 2} {
			g := bytes.Clone(d)
			g[at] ^= 0x80
			f.Add(g)
		}
	}
	f.Fuzz(func(t *testing.T, dump []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := Measure(bytes.NewReader(dump), [][]uint64{{1}, {2, 3}})
		runtime.ReadMemStats(&after)
		// Memory follows the input read, not the lengths in it: at
		// worst some tens of bytes of graph per byte of input (an object
		// record can be 3 bytes long), plus the read buffer.
		if alloc, limit := after.TotalAlloc-before.TotalAlloc, 100*uint64(len(dump))+2<<20; alloc > limit {
			t.Fatalf("%d bytes of input allocated %d bytes", len(dump), alloc)
		}
		if (r == nil) == (err == nil) {
			t.Fatalf("Measure returned %v and %v", r, err)
		}
		if err != nil {
			return
		}
		if len(r.Groups) != 2 {
			t.Fatalf("%d groups", len(r.Groups))
		}
		sum := r.SharedHeapBytes
		for _, g := range r.Groups {
			sum += g.RetainedHeapBytes
			for i := 1; i < len(g.Largest); i++ {
				if g.Largest[i].Size > g.Largest[i-1].Size {
					t.Fatalf("largest objects out of order: %+v", g.Largest)
				}
			}
			if len(g.Largest) > 3 || len(g.Largest) > g.RetainedObjects {
				t.Fatalf("%d largest of %d objects", len(g.Largest), g.RetainedObjects)
			}
		}
		if sum != r.RetainedHeapBytes || r.RetainedHeapBytes > r.LiveHeapBytes {
			t.Fatalf("groups and shared %d, together %d, live %d", sum, r.RetainedHeapBytes, r.LiveHeapBytes)
		}
	})
}
