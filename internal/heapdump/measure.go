package heapdump

import (
	"fmt"
	"io"
	"math"
)

// A Result is what [Measure] found: how much memory each group of
// goroutines holds, and all of them together. Heap sizes are those of
// the dumped objects, that is the runtime's size classes (a 100-byte
// object counts 112 bytes), which is what freeing them gives back.
type Result struct {
	// Groups has one entry per group given to Measure, in the same order.
	Groups []Group

	// RetainedHeapBytes is the heap held by the groups together: the
	// bytes that would be freed if all their goroutines exited. It is
	// the sum of the groups' RetainedHeapBytes and SharedHeapBytes.
	RetainedHeapBytes uint64

	// SharedHeapBytes is the part of RetainedHeapBytes held by two or
	// more groups and by nothing else: all of them must exit to free it,
	// so it counts in no single group.
	SharedHeapBytes uint64

	// LiveHeapBytes is the whole reachable heap, held by the groups or
	// not, for scale.
	LiveHeapBytes uint64
}

// A Group is the memory held by one group of goroutines.
type Group struct {
	// Goroutines is how many of the group's goroutines were in the dump.
	Goroutines int

	// Missing lists the group's goroutine IDs that were not in the dump,
	// in the order given: goroutines that exited before it.
	Missing []uint64

	// StackBytes is the stack the goroutines use: the sum of the sizes
	// of their frames as dumped, from each goroutine's stack pointer to
	// the top of its outermost frame.
	StackBytes uint64

	// StackAllocatedBytes is the stack memory allocated to the
	// goroutines (a power of two each, at least StackBytes), read from
	// their runtime descriptors; a goroutine whose descriptor could not
	// be read adds nothing.
	StackAllocatedBytes uint64

	// RetainedHeapBytes is the heap held by the group alone: the objects
	// reachable from its goroutines' stacks and from nothing else (not
	// from globals, other goroutines, finalizers or other groups). It is
	// what the goroutines' exit would free.
	RetainedHeapBytes uint64

	// RetainedObjects is the number of objects in RetainedHeapBytes.
	RetainedObjects int

	// Largest lists up to three of the biggest objects in
	// RetainedHeapBytes, biggest first.
	Largest []Object
}

// An Object is a heap object of a [Group].
type Object struct {
	Addr uint64
	Size uint64 // size class, as dumped

	// Alloc is the stack that allocated the object, from the allocating
	// function outward, with the runtime's frames dropped; nil when the
	// memory profiler did not sample the allocation. The profiler
	// samples about one allocation per [runtime.MemProfileRate] bytes,
	// and almost surely every object that is several times bigger.
	// Function names the physical function: for a call inlined into it,
	// File and Line are those of the inlined code.
	Alloc []Frame
}

// A Frame is one call in an allocation stack.
type Frame struct {
	Function string // package-qualified, as in a traceback
	File     string
	Line     int
}

// Measure reads a heap dump written by [runtime/debug.WriteHeapDump]
// (as [Capture] writes it) and reports, for each group of goroutine IDs
// in groups, the stack it uses and the heap it alone holds (see
// [Group]). A goroutine in no group is an ordinary one whose stack is a
// root. An ID in two groups is an error; an ID the dump lacks is listed
// in [Group.Missing].
//
// Measure streams r: it keeps per object its address, size and the
// pointers in it, never the contents, and allocates about 60 bytes per
// object and 12 per pointer (0.7 GiB for a 1 GiB heap, half of it
// 64-byte objects with two pointers each). The roots are the data and bss segments, the
// stacks and descriptors of the goroutines outside the groups, their
// defers and panics, registered finalizers' closures, queued finalizers
// with their objects, OS threads, and any other root the dump lists.
// An object with a registered finalizer is not a root: it lives only
// as long as something points to it.
//
// What the dump does not say is approximated. The frames' pointer maps
// leave out address-taken locals (stack objects); a pointer into a
// goroutine's stack (from a frame, or from the runtime's record of a
// blocked channel operation) is followed to the one word it points to,
// which covers a pointer sent on a channel but not every word of a
// larger value. Runtime cleanups ([runtime.AddCleanup]) are not in the
// dump, so what only a cleanup keeps alive counts as held by whoever
// else reaches it. A group's goroutine descriptors, and the sudogs
// through which they wait, count in no group, but what they point to
// (the channel, the struct holding the mutex) is the group's, even when
// a global wait queue or semaphore table also reaches it through them.
//
// A dump that is not one, is truncated, or is garbled gives an error
// saying where; Measure does not panic on any input and its memory
// stays proportional to the input read.
func Measure(r io.Reader, groups [][]uint64) (*Result, error) {
	if len(groups) > math.MaxInt32-int(markGroup0) {
		return nil, fmt.Errorf("heapdump: %d groups", len(groups))
	}
	group := map[uint64]int32{}
	for k, ids := range groups {
		for _, id := range ids {
			if j, ok := group[id]; ok && j != int32(k) {
				return nil, fmt.Errorf("heapdump: goroutine %d is in groups %d and %d", id, j, k)
			}
			group[id] = int32(k)
		}
	}
	dm, err := parse(r, group)
	if err != nil {
		return nil, err
	}
	if dm.objAddr.len()+len(dm.swAddr) >= math.MaxUint32 {
		return nil, fmt.Errorf("heapdump: %d objects and %d stack words are too many", dm.objAddr.len(), len(dm.swAddr))
	}
	res := newIndex(dm).measure(dm, len(groups))
	missing := map[uint64]bool{}
	for k, ids := range groups {
		for _, id := range ids {
			if _, ok := dm.gIDs[id]; !ok && !missing[id] {
				missing[id] = true
				res.Groups[k].Missing = append(res.Groups[k].Missing, id)
			}
		}
	}
	return res, nil
}
