// Package heapdump measures how much memory groups of goroutines hold,
// from a heap dump of the running program.
//
// When a leak check fails, leakcheck reports per group of leaked
// goroutines the stack they use and the heap they alone hold: the
// objects reachable from their stacks and from nothing else, which is
// what their exit would free, with the largest of them and, where the
// memory profiler sampled it, where each was allocated.
//
// [Capture] (or [Write]) collects garbage and writes the dump with
// [runtime/debug.WriteHeapDump], which stops the world for as long as
// the dump takes, so the caller decides when; [Estimate] predicts the
// cost beforehand, and a heap above [MaxHeapBytes] is better left
// unmeasured. [Measure] then reads the dump as a stream, keeping only the
// pointer graph, never the objects' contents, and marks it: first
// everything reachable from roots outside the groups, then what each
// group reaches among the rest. An object reached by two groups counts
// in the total they hold together ([Result.SharedHeapBytes]) but in
// neither group alone.
//
// The dump format is the runtime's "go1.7 heap dump" (runtime/heapdump.go,
// the same in go1.26 and go1.27). It has no type information: pointers
// are known from the pointer bitmaps the runtime dumps with each object,
// frame and data segment; the rest of this package's approximations are
// documented on [Measure].
package heapdump
