package heapdump

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// An encoder writes synthetic dumps in the runtime's format, for tests
// that need a heap laid out just so. Pointers are 8-byte little-endian;
// the heap arenas are [arenaLo, arenaHi).
type encoder struct{ bytes.Buffer }

const (
	arenaLo = 0xc000000000
	arenaHi = 0xc004000000
)

func newEncoder() *encoder {
	e := &encoder{}
	e.WriteString(header)
	e.u(tagParams, 0, 8, arenaLo, arenaHi)
	e.s("amd64")
	e.s("go1.26.8")
	e.u(2)
	return e
}

func (e *encoder) u(vs ...uint64) {
	for _, v := range vs {
		e.Write(binary.AppendUvarint(nil, v))
	}
}

func (e *encoder) s(s string) {
	e.u(uint64(len(s)))
	e.WriteString(s)
}

// mem writes a size-byte memory range holding words (offset → value)
// and its field list naming ptrs.
func (e *encoder) mem(size uint64, words map[uint64]uint64, ptrs []uint64) {
	b := make([]byte, size)
	for off, v := range words {
		binary.LittleEndian.PutUint64(b[off:], v)
	}
	e.u(size)
	e.Write(b)
	slices.Sort(ptrs)
	for _, off := range ptrs {
		e.u(fieldPtr, off)
	}
	e.u(fieldEOL)
}

// object writes an object whose words at the keys of ptrs are pointers.
func (e *encoder) object(addr, size uint64, ptrs map[uint64]uint64) {
	e.u(tagObject, addr)
	e.mem(size, ptrs, keys(ptrs))
}

// gObject writes a goroutine descriptor with stack bounds [lo, hi).
func (e *encoder) gObject(addr, lo, hi uint64) {
	e.u(tagObject, addr)
	e.mem(448, map[uint64]uint64{0: lo, 8: hi}, nil)
}

func keys(m map[uint64]uint64) []uint64 {
	var ks []uint64
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func (e *encoder) data(tag, addr, size uint64, ptrs map[uint64]uint64) {
	e.u(tag, addr)
	e.mem(size, ptrs, keys(ptrs))
}

// goroutine writes a goroutine record and one frame per element of
// frames, innermost first, each a frame of the given size at sp with its
// pointers.
func (e *encoder) goroutine(addr, id, sp uint64, frames ...frameSpec) {
	e.u(tagGoroutine, addr, sp, id, 0x401000, 4, 0, 0, 0)
	e.s("chan receive")
	e.u(0, 0, 0, 0)
	for depth, f := range frames {
		e.u(tagStackFrame, f.sp, uint64(depth), 0)
		e.u(f.size)
		b := make([]byte, f.size)
		for off, v := range f.words {
			binary.LittleEndian.PutUint64(b[off:], v)
		}
		e.Write(b)
		e.u(0x401000, 0x401010, 0x401010)
		e.s("main.f")
		slices.Sort(f.ptrs)
		for _, off := range f.ptrs {
			e.u(fieldPtr, off)
		}
		e.u(fieldEOL)
	}
}

// A frameSpec is a stack frame: words holds its words' values, ptrs
// the offsets its pointer map names.
type frameSpec struct {
	sp, size uint64
	words    map[uint64]uint64
	ptrs     []uint64
}

func (e *encoder) eof() []byte {
	e.u(tagEOF)
	return e.Bytes()
}

// everyRecord appends one record of each kind the format has, with
// pointers to nothing in particular.
func (e *encoder) everyRecord() {
	e.u(tagType, 0x500000, 16)
	e.s("main.T")
	e.u(1)
	e.u(tagItab, 0x510000, 0x500000)
	e.u(tagOtherRoot)
	e.s("finq")
	e.u(0)
	e.u(tagOSThread, 0x520000, 1, 4242)
	e.u(tagFinalizer, 0, 0, 0x401000, 0x500000, 0x500000)
	e.u(tagQueuedFinalizer, 0, 0, 0x401000, 0x500000, 0x500000)
	e.data(tagData, 0x600000, 64, nil)
	e.data(tagBSS, 0x700000, 64, nil)
	e.u(tagDefer, 0, 0, 0, 0x401000, 0, 0, 0)
	e.u(tagPanic, 0, 0, 0x500000, 0, 0, 0)
	e.u(tagMemStats)
	for i := range memStatsFields {
		e.u(uint64(i))
	}
	e.u(tagMemProf, 0x530000, 64, 2)
	e.s("runtime.mallocgc")
	e.s("/go/src/runtime/malloc.go")
	e.u(1000)
	e.s("main.main")
	e.s("/src/main.go")
	e.u(12)
	e.u(1, 0)
	e.u(tagAllocSample, arenaLo, 0x530000)
}
