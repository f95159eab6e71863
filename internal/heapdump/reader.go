package heapdump

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// A dump is what the reader keeps of a heap dump: per object its address,
// size and the pointers read at its pointer fields, never its contents;
// the roots; the goroutines and the words of their frames that hold heap
// addresses; and the memory profile.
type dump struct {
	// From the params record.
	haveParams bool
	ptrSize    uint64
	bigEndian  bool
	arenaLo    uint64 // heap arenas, [arenaLo, arenaHi): stacks are there too
	arenaHi    uint64

	// Objects in dump order. The pointers of object i are
	// edges[edgeEnd[i-1]:edgeEnd[i]], in field order.
	objAddr column[uint64]
	objSize column[uint64]
	edgeEnd column[uint64]
	edges   column[uint64]
	// firstAtZero has bit i set when object i's first pointer is its
	// first word: how a runtime sudog points to its goroutine (see
	// index.measure).
	firstAtZero []uint64

	// stackBounds maps the address of every object whose first two words
	// look like the stack bounds at the start of a runtime g ([lo, hi):
	// a power of two, in the arenas) to those bounds. Only goroutine
	// descriptors are looked up in it.
	stackBounds map[uint64][2]uint64

	gs   []goroutine
	gIDs map[uint64]int32 // goroutine ID → index in gs

	// Stack words: every word of a frame that holds an address in the
	// arenas, whether or not the frame's pointer map names it, so that a
	// pointer into a stack (a channel operation's element, an
	// address-taken local) can be followed to the value it points to.
	swAddr []uint64
	swVal  []uint64
	swG    []int32 // goroutine index

	roots   []uint64    // pointers held by global roots
	gRoots  []gRoot     // pointers held by one goroutine: frames, its record
	gpRoots [][2]uint64 // defer and panic records: goroutine address, pointer

	buckets map[uint64][]Frame // memory profile bucket → allocation stack
	samples map[uint64]uint64  // sampled object address → bucket
	strs    map[string]string  // interned names in buckets
}

type goroutine struct {
	id, addr, sp uint64
	group        int32  // index of its group, or -1
	stackInUse   uint64 // sum of its frames' sizes
}

type gRoot struct {
	g   int32 // index in dump.gs
	ptr uint64
}

// A cand is a word of a memory range whose value lies in the heap arenas:
// a pointer, if the range's field list names its offset.
type cand struct{ off, val uint64 }

type parser struct {
	d     *decoder
	dump  *dump
	group map[uint64]int32 // goroutine ID → group

	cands  []cand   // of the range just read
	ptrs   []uint64 // scratch for the pointers of a range
	scanFn func(uint64, []byte)
	cur    int32 // goroutine whose frames are being read, or -1
}

// parse reads a whole dump, up to its EOF record.
func parse(r io.Reader, group map[uint64]int32) (*dump, error) {
	p := &parser{
		d:     newDecoder(r),
		group: group,
		cur:   -1,
		dump: &dump{
			stackBounds: map[uint64][2]uint64{},
			gIDs:        map[uint64]int32{},
			buckets:     map[uint64][]Frame{},
			samples:     map[uint64]uint64{},
			strs:        map[string]string{},
		},
	}
	p.scanFn = p.scanChunk
	if err := p.d.fill(len(header)); err != nil || string(p.d.buf[:len(header)]) != header {
		n := min(p.d.end, len(header))
		return nil, fmt.Errorf("heapdump: not a go1.7 heap dump: starts with %q", p.d.buf[:n])
	}
	p.d.pos = len(header)
	for {
		at := p.d.offset()
		tag, err := p.d.uvarint()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) && p.d.offset() == at && p.d.end == p.d.pos {
				return nil, fmt.Errorf("heapdump: truncated: input ends at offset %d without an EOF record", at)
			}
			return nil, fmt.Errorf("heapdump: record tag at offset %d: %w", at, err)
		}
		if tag == tagEOF {
			return p.dump, nil
		}
		if tag >= uint64(len(tagNames)) {
			return nil, fmt.Errorf("heapdump: unknown record tag %d at offset %d", tag, at)
		}
		if tag != tagStackFrame && tag != tagDefer && tag != tagPanic {
			p.cur = -1
		}
		if tag != tagParams && !p.dump.haveParams {
			return nil, fmt.Errorf("heapdump: %s record at offset %d comes before the params record", tagNames[tag], at)
		}
		if err := p.record(tag); err != nil {
			return nil, fmt.Errorf("heapdump: %s record at offset %d: %w", tagNames[tag], at, err)
		}
	}
}

func (p *parser) record(tag uint64) error {
	d, dm := p.d, p.dump
	switch tag {
	case tagParams:
		return p.params()
	case tagObject:
		return p.object()
	case tagOtherRoot:
		if err := d.skipStr(); err != nil {
			return err
		}
		var ptr uint64
		if err := d.uvarints(&ptr); err != nil {
			return err
		}
		dm.roots = append(dm.roots, ptr)
	case tagType:
		if err := d.skipUvarints(2); err != nil {
			return err
		}
		if err := d.skipStr(); err != nil {
			return err
		}
		return d.skipUvarints(1)
	case tagGoroutine:
		return p.goroutine()
	case tagStackFrame:
		return p.frame()
	case tagFinalizer, tagQueuedFinalizer:
		var obj, fn uint64
		if err := d.uvarints(&obj, &fn); err != nil {
			return err
		}
		// A registered finalizer keeps its closure alive, not its
		// object: the object still dies when nothing else points to it
		// (then its finalizer is queued). A queued finalizer is about
		// to be called with its object.
		dm.roots = append(dm.roots, fn)
		if tag == tagQueuedFinalizer {
			dm.roots = append(dm.roots, obj)
		}
		return d.skipUvarints(3)
	case tagItab:
		return d.skipUvarints(2)
	case tagOSThread:
		var m uint64
		if err := d.uvarints(&m); err != nil {
			return err
		}
		dm.roots = append(dm.roots, m)
		return d.skipUvarints(2)
	case tagMemStats:
		return d.skipUvarints(memStatsFields)
	case tagData, tagBSS:
		var addr uint64
		if err := d.uvarints(&addr); err != nil {
			return err
		}
		n, err := p.scanRange()
		if err != nil {
			return err
		}
		p.ptrs, _, err = p.fields(n, p.ptrs[:0])
		dm.roots = append(dm.roots, p.ptrs...)
		return err
	case tagDefer:
		var def, gp, sp, pc, fn uint64
		if err := d.uvarints(&def, &gp, &sp, &pc, &fn); err != nil {
			return err
		}
		dm.gpRoots = append(dm.gpRoots, [2]uint64{gp, def}, [2]uint64{gp, fn})
		return d.skipUvarints(2)
	case tagPanic:
		var pn, gp, typ, data uint64
		if err := d.uvarints(&pn, &gp, &typ, &data); err != nil {
			return err
		}
		dm.gpRoots = append(dm.gpRoots, [2]uint64{gp, pn}, [2]uint64{gp, data})
		return d.skipUvarints(2)
	case tagMemProf:
		return p.memProf()
	case tagAllocSample:
		var obj, b uint64
		if err := d.uvarints(&obj, &b); err != nil {
			return err
		}
		dm.samples[obj] = b
	}
	return nil
}

func (p *parser) params() error {
	d, dm := p.d, p.dump
	if dm.haveParams {
		return errors.New("a second params record")
	}
	var big, ptrSize, lo, hi uint64
	if err := d.uvarints(&big, &ptrSize, &lo, &hi); err != nil {
		return err
	}
	if ptrSize != 4 && ptrSize != 8 {
		return fmt.Errorf("pointer size %d, want 4 or 8", ptrSize)
	}
	if lo > hi {
		return fmt.Errorf("heap arenas end (%#x) before they start (%#x)", hi, lo)
	}
	if err := d.skipStr(); err != nil { // GOARCH
		return err
	}
	if err := d.skipStr(); err != nil { // Go version
		return err
	}
	if err := d.skipUvarints(1); err != nil { // CPUs
		return err
	}
	dm.haveParams, dm.bigEndian, dm.ptrSize, dm.arenaLo, dm.arenaHi = true, big != 0, ptrSize, lo, hi
	return nil
}

func (p *parser) object() error {
	dm := p.dump
	var addr uint64
	if err := p.d.uvarints(&addr); err != nil {
		return err
	}
	n, err := p.scanRange()
	if err != nil {
		return err
	}
	i := dm.objAddr.len()
	if i >= math.MaxUint32-1 {
		return errors.New("more than 2^32-2 objects")
	}
	if c := p.cands; len(c) >= 2 && c[0].off == 0 && c[1].off == dm.ptrSize {
		if lo, hi := c[0].val, c[1].val; lo < hi && hi-lo <= maxStackSize && (hi-lo)&(hi-lo-1) == 0 {
			dm.stackBounds[addr] = [2]uint64{lo, hi}
		}
	}
	var first bool
	p.ptrs, first, err = p.fields(n, p.ptrs[:0])
	if err != nil {
		return err
	}
	for _, v := range p.ptrs {
		dm.edges.add(v)
	}
	if i%64 == 0 {
		dm.firstAtZero = append(dm.firstAtZero, 0)
	}
	if first {
		dm.firstAtZero[i/64] |= 1 << (i % 64)
	}
	dm.objAddr.add(addr)
	dm.objSize.add(n)
	dm.edgeEnd.add(uint64(dm.edges.len()))
	return nil
}

func (p *parser) goroutine() error {
	d, dm := p.d, p.dump
	var addr, sp, id uint64
	if err := d.uvarints(&addr, &sp, &id); err != nil {
		return err
	}
	if err := d.skipUvarints(5); err != nil { // creator pc, status, system, background, wait since
		return err
	}
	if err := d.skipStr(); err != nil { // wait reason
		return err
	}
	var ctxt, m, def, pn uint64
	if err := d.uvarints(&ctxt, &m, &def, &pn); err != nil {
		return err
	}
	if _, dup := dm.gIDs[id]; dup {
		return fmt.Errorf("goroutine %d dumped twice", id)
	}
	gi := int32(len(dm.gs))
	if int(gi) != len(dm.gs) {
		return errors.New("too many goroutines")
	}
	group, ok := p.group[id]
	if !ok {
		group = -1
	}
	dm.gIDs[id] = gi
	dm.gs = append(dm.gs, goroutine{id: id, addr: addr, sp: sp, group: group})
	// The descriptor itself is a root of the goroutine: its pointers
	// (waiting sudogs, defers, the closure context) are followed from it
	// (see index.measure); the record's copies are kept in case the
	// descriptor is not in the dump.
	dm.gRoots = append(dm.gRoots, gRoot{gi, ctxt}, gRoot{gi, def}, gRoot{gi, pn})
	p.cur = gi
	return nil
}

func (p *parser) frame() error {
	d, dm := p.d, p.dump
	if p.cur < 0 {
		return errors.New("not after a goroutine record")
	}
	var sp uint64
	if err := d.uvarints(&sp); err != nil {
		return err
	}
	if err := d.skipUvarints(2); err != nil { // depth, child sp
		return err
	}
	n, err := d.length("frame", maxStackSize)
	if err != nil {
		return err
	}
	p.cands = p.cands[:0]
	if err := d.chunks(n, p.scanFn); err != nil {
		return err
	}
	if err := d.skipUvarints(3); err != nil { // entry, pc, continuation pc
		return err
	}
	if err := d.skipStr(); err != nil { // function name
		return err
	}
	for _, c := range p.cands {
		dm.swAddr = append(dm.swAddr, sp+c.off)
		dm.swVal = append(dm.swVal, c.val)
		dm.swG = append(dm.swG, p.cur)
	}
	dm.gs[p.cur].stackInUse += n
	p.ptrs, _, err = p.fields(n, p.ptrs[:0])
	for _, v := range p.ptrs {
		dm.gRoots = append(dm.gRoots, gRoot{p.cur, v})
	}
	return err
}

func (p *parser) memProf() error {
	d, dm := p.d, p.dump
	var b uint64
	if err := d.uvarints(&b); err != nil {
		return err
	}
	if err := d.skipUvarints(1); err != nil { // size
		return err
	}
	n, err := d.length("stack", maxMemProfN)
	if err != nil {
		return err
	}
	var stk []Frame
	for range n {
		fn, err := d.str()
		if err != nil {
			return err
		}
		file, err := d.str()
		if err != nil {
			return err
		}
		line, err := d.uvarint()
		if err != nil {
			return err
		}
		if line > math.MaxInt32 {
			return fmt.Errorf("line number %d", line)
		}
		stk = append(stk, Frame{Function: p.intern(fn), File: p.intern(file), Line: int(line)})
	}
	dm.buckets[b] = stk
	return d.skipUvarints(2) // allocs, frees
}

func (p *parser) intern(s string) string {
	if t, ok := p.dump.strs[s]; ok {
		return t
	}
	p.dump.strs[s] = s
	return s
}

// scanRange reads a memory range, keeping in p.cands the words whose
// values lie in the heap arenas.
func (p *parser) scanRange() (uint64, error) {
	n, err := p.d.length("memory range", maxRange)
	if err != nil {
		return 0, err
	}
	p.cands = p.cands[:0]
	return n, p.d.chunks(n, p.scanFn)
}

func (p *parser) scanChunk(off uint64, b []byte) {
	dm := p.dump
	lo, span := dm.arenaLo, dm.arenaHi-dm.arenaLo
	if dm.ptrSize == 8 && !dm.bigEndian {
		for i := 0; i+8 <= len(b); i += 8 {
			if v := binary.LittleEndian.Uint64(b[i:]); v-lo < span {
				p.cands = append(p.cands, cand{off + uint64(i), v})
			}
		}
		return
	}
	var order binary.ByteOrder = binary.LittleEndian
	if dm.bigEndian {
		order = binary.BigEndian
	}
	for i := 0; i+int(dm.ptrSize) <= len(b); i += int(dm.ptrSize) {
		var v uint64
		if dm.ptrSize == 8 {
			v = order.Uint64(b[i:])
		} else {
			v = uint64(order.Uint32(b[i:]))
		}
		if v-lo < span {
			p.cands = append(p.cands, cand{off + uint64(i), v})
		}
	}
}

// fields reads the field list that follows an n-byte range and appends
// to dst the values p.cands holds at the listed offsets: the pointers
// into the heap arenas; others (nil, pointers to globals or code) do not
// matter. first reports whether the first pointer appended is the
// range's first word.
func (p *parser) fields(n uint64, dst []uint64) (ptrs []uint64, first bool, err error) {
	c := p.cands
	j, start := 0, len(dst)
	var last uint64
	for {
		kind, err := p.d.uvarint()
		if err != nil {
			return dst, first, err
		}
		if kind == fieldEOL {
			return dst, first, nil
		}
		if kind > fieldEface {
			return dst, first, fmt.Errorf("unknown field kind %d", kind)
		}
		off, err := p.d.uvarint()
		if err != nil {
			return dst, first, err
		}
		if off >= n {
			return dst, first, fmt.Errorf("pointer field at offset %d of a %d-byte range", off, n)
		}
		words := uint64(1)
		if kind != fieldPtr {
			words = 2
		}
		for w := range words {
			o := off + w*p.dump.ptrSize
			if o < last {
				// Offsets ascend in every list the runtime writes
				// but a frame's; search instead of scanning.
				j = sort.Search(len(c), func(i int) bool { return c[i].off >= o })
			}
			last = o
			for j < len(c) && c[j].off < o {
				j++
			}
			if j < len(c) && c[j].off == o {
				if o == 0 && len(dst) == start {
					first = true
				}
				dst = append(dst, c[j].val)
			}
		}
	}
}
