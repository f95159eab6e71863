package heapdump

import (
	"runtime/metrics"
	"time"
)

// MaxHeapBytes is the heap above which leakcheck should not take a heap
// dump to measure leaks; [Estimate] tells the heap before the dump.
//
// Everything scales with the heap. On the 2-core machine where the
// package was measured, a heap of 1 GiB, half in 64-byte objects, took
// 1.8 s of CPU to dump, with the world stopped, and 1.3 s to measure,
// about twice as long in wall time while other jobs shared the cores;
// the dump file was 1.13 times the heap, and Measure allocated 0.7 GiB.
// At 2 GiB the world stops for about 4 s, a check that fails takes
// some 6–12 s longer, the temporary directory must hold 2.3 GB, and the
// process needs up to 1.5 GiB more memory: still bearable for a test
// that already failed, on a CI runner of common size. Twice that would
// stop a test for tens of seconds and risk running the runner out of
// memory, for a figure a smaller reproduction gives as well.
const MaxHeapBytes = 2 << 30

// Rates measured by BenchmarkCaptureMeasure in CPU time (see
// [Estimate]): a dump costs per byte written and read, and per object
// for the runtime's record and the reader's graph.
const (
	dumpOverheadPerObject = 16  // bytes a record adds to an object with a few pointers
	nsPerDumpByte         = 0.9 // capture and measure, per byte of dump
	nsPerObject           = 320 // capture and measure, per object
)

// Estimate predicts, before [Capture], the size of the dump it would
// write and the CPU time that capturing and measuring it would take,
// from the runtime's metrics and rates measured on a 2-core amd64
// machine (wall time is longer on a busy one). Both are upper bounds
// when the heap holds garbage, which the dump leaves out: they count
// every object not yet swept. heapBytes is that heap, to compare with
// [MaxHeapBytes].
func Estimate() (heapBytes, dumpBytes uint64, cost time.Duration) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/objects:objects"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	heapBytes, objects, stacks := v(0), v(1), v(2)
	dumpBytes = heapBytes + objects*dumpOverheadPerObject + stacks
	ns := float64(dumpBytes)*nsPerDumpByte + float64(objects)*nsPerObject
	return heapBytes, dumpBytes, time.Duration(ns)
}
