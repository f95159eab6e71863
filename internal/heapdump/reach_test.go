package heapdump

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Addresses in the synthetic heap.
const (
	objA   = arenaLo + 0x0000 // 64 B, points into B's middle
	objB   = arenaLo + 0x0040 // 64 B
	objC   = arenaLo + 0x1000 // 4096 B, group 0's frame points to A
	objD   = arenaLo + 0x2000 // 128 B, both groups: shared
	objE   = arenaLo + 0x3000 // 256 B, group 0 and the data segment
	objF   = arenaLo + 0x4000 // 512 B, finalizer registered; group 1 only
	objFn  = arenaLo + 0x5000 // 16 B, F's finalizer closure
	objG   = arenaLo + 0x6000 // 1024 B, in an address-taken local of group 1
	objH   = arenaLo + 0x7000 // 2048 B, in a dead word of group 0's frame
	objQ   = arenaLo + 0x8000 // 32 B, queued for finalization
	objSd  = arenaLo + 0x9000 // 64 B, a sudog of goroutine 2, in a global wait queue
	objI   = arenaLo + 0xa000 // 8192 B, what the sudog points to
	gDesc1 = arenaLo + 0x10000
	gDesc2 = arenaLo + 0x10200
	gDesc3 = arenaLo + 0x10400
	stack1 = arenaLo + 0x100000 // stacks of 2 KiB
	stack2 = arenaLo + 0x100800
	stack3 = arenaLo + 0x101000
)

func syntheticDump() []byte {
	e := newEncoder()
	e.object(objA, 64, map[uint64]uint64{0: objB + 16})
	e.object(objB, 64, nil)
	e.object(objC, 4096, map[uint64]uint64{8: objA})
	e.object(objD, 128, nil)
	e.object(objE, 256, nil)
	e.object(objF, 512, map[uint64]uint64{0: objD})
	e.object(objFn, 16, nil)
	e.object(objG, 1024, nil)
	e.object(objH, 2048, nil)
	e.object(objQ, 32, nil)
	e.object(objSd, 64, map[uint64]uint64{0: gDesc2, 24: objI})
	e.object(objI, 8192, nil)
	e.gObject(gDesc1, stack1, stack1+2048)
	e.gObject(gDesc2, stack2, stack2+2048)
	e.gObject(gDesc3, stack3, stack3+2048)

	// Goroutine 1, group 0: C, D, E in its frames; H in a dead word.
	e.goroutine(gDesc1, 1, stack1+1024,
		frameSpec{sp: stack1 + 1024, size: 64, words: map[uint64]uint64{0: objC + 100, 8: objH}, ptrs: []uint64{0}},
		frameSpec{sp: stack1 + 1088, size: 32, words: map[uint64]uint64{0: objD, 8: objE}, ptrs: []uint64{0, 8}},
	)
	// Goroutine 2, group 1: D, F; a pointer to its own stack word 16,
	// which holds G.
	e.goroutine(gDesc2, 2, stack2+1024,
		frameSpec{sp: stack2 + 1024, size: 48, words: map[uint64]uint64{0: objD, 8: objF, 16: objG, 32: stack2 + 1024 + 16}, ptrs: []uint64{0, 8, 32}},
	)
	// Goroutine 3, in no group: points to nothing of interest.
	e.goroutine(gDesc3, 3, stack3+1024,
		frameSpec{sp: stack3 + 1024, size: 16},
	)
	e.data(tagData, 0x600000, 32, map[uint64]uint64{0: objE})
	e.data(tagBSS, 0x700000, 32, map[uint64]uint64{8: objSd})
	e.u(tagFinalizer, objF, objFn, 0x401000, 0x500000, 0x500000)
	e.u(tagQueuedFinalizer, objQ, objFn, 0x401000, 0x500000, 0x500000)
	e.u(tagMemProf, 0x530000, 4096, 3)
	e.s("runtime.mallocgc")
	e.s("/go/src/runtime/malloc.go")
	e.u(1000)
	e.s("main.alloc")
	e.s("/src/main.go")
	e.u(12)
	e.s("main.main")
	e.s("/src/main.go")
	e.u(20)
	e.u(1, 0)
	e.u(tagAllocSample, objC, 0x530000)
	return e.eof()
}

func TestSyntheticHeap(t *testing.T) {
	r, err := Measure(bytes.NewReader(syntheticDump()), [][]uint64{{1}, {2}})
	require.NoError(t, err)
	g0, g1 := r.Groups[0], r.Groups[1]

	// Group 0 holds C, and through C A, and through A's interior
	// pointer B; not D (shared), E (global) or H (dead word).
	assert.Equal(t, uint64(4096+64+64), g0.RetainedHeapBytes)
	assert.Equal(t, 3, g0.RetainedObjects)
	// Group 1 holds F, whose finalizer does not keep it alive; G,
	// through a pointer to its own stack; I, through its sudog, which a
	// global wait queue also reaches.
	assert.Equal(t, uint64(512+1024+8192), g1.RetainedHeapBytes)
	assert.Equal(t, uint64(128), r.SharedHeapBytes)
	assert.Equal(t, g0.RetainedHeapBytes+g1.RetainedHeapBytes+128, r.RetainedHeapBytes)

	assert.Equal(t, uint64(64+32), g0.StackBytes)
	assert.Equal(t, uint64(2048), g0.StackAllocatedBytes)
	assert.Equal(t, uint64(48), g1.StackBytes)

	require.Len(t, g0.Largest, 3)
	assert.Equal(t, []uint64{4096, 64, 64}, []uint64{g0.Largest[0].Size, g0.Largest[1].Size, g0.Largest[2].Size})
	assert.Equal(t, uint64(objC), g0.Largest[0].Addr)
	assert.Equal(t, uint64(objA), g0.Largest[1].Addr, "equal sizes: lower address first")
	assert.Equal(t, []Frame{{"main.alloc", "/src/main.go", 12}, {"main.main", "/src/main.go", 20}}, g0.Largest[0].Alloc)
	assert.Nil(t, g0.Largest[1].Alloc)
}

func TestNoGroups(t *testing.T) {
	r, err := Measure(bytes.NewReader(syntheticDump()), nil)
	require.NoError(t, err)
	assert.Empty(t, r.Groups)
	assert.Zero(t, r.RetainedHeapBytes)
	assert.NotZero(t, r.LiveHeapBytes)
}

func TestMissingGoroutine(t *testing.T) {
	r, err := Measure(bytes.NewReader(syntheticDump()), [][]uint64{{1, 99, 99}, {98}})
	require.NoError(t, err)
	assert.Equal(t, []uint64{99}, r.Groups[0].Missing)
	assert.Equal(t, 1, r.Groups[0].Goroutines)
	assert.Equal(t, []uint64{98}, r.Groups[1].Missing)
	assert.Zero(t, r.Groups[1].RetainedHeapBytes)
}

func TestGoroutineInTwoGroups(t *testing.T) {
	_, err := Measure(bytes.NewReader(syntheticDump()), [][]uint64{{1}, {1}})
	assert.ErrorContains(t, err, "goroutine 1 is in groups 0 and 1")
}

// TestObjectOrder checks that objects dumped out of address order, in
// runs or one by one, are found.
func TestObjectOrder(t *testing.T) {
	for _, addrs := range [][]uint64{
		{objB, objA},                             // two runs
		{objA + 128, objA, objA + 64, objA + 32}, // interleaved
	} {
		e := newEncoder()
		for _, a := range addrs {
			e.object(a, 32, nil)
		}
		// The group's frame points into each object's last byte.
		words := map[uint64]uint64{}
		var ptrs []uint64
		for i, a := range addrs {
			words[uint64(8*i)] = a + 31
			ptrs = append(ptrs, uint64(8*i))
		}
		e.goroutine(gDesc1, 1, stack1, frameSpec{sp: stack1, size: uint64(8 * len(addrs)), words: words, ptrs: ptrs})
		r, err := Measure(bytes.NewReader(e.eof()), [][]uint64{{1}})
		require.NoError(t, err)
		assert.Equal(t, uint64(32*len(addrs)), r.Groups[0].RetainedHeapBytes, "%#x", addrs)
	}
}
