package heapdump

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strings"
)

// The heap as a graph: nodes are the dumped objects, sorted by address,
// followed by the stack words (see dump.swAddr); each pointer is an edge
// to the object that contains its target, or to the stack word it
// points at. Pointers to anything else (globals, code, free memory,
// stack words holding no heap address) are dropped.
type index struct {
	nObj    uint32
	ptrSize uint64
	addr    []uint64 // object starts, ascending
	size    []uint64
	start   []uint64 // the edges of object i are edges[start[i]:start[i+1]]
	edges   []uint32

	// pages[p] is the number of objects that start before the p'th
	// 8 KiB page of the arenas, so that finding the object containing
	// an address is a search among the objects of one page. Nil when
	// the arenas span so much more address space than there are
	// objects that the table would cost more than it saves.
	pages  []uint32
	pageLo uint64

	swAddr  []uint64 // ascending
	swGroup []int32  // group of the goroutine whose stack holds the word, or -1
	swEdge  []uint32 // node the word points to, or noNode

	marks []uint32 // per node, see markNone
}

const noNode = ^uint32(0)

const pageShift = 13 // the runtime's page size, 8 KiB

// Marks, one per node. Marking gives every node reachable from roots
// outside the groups markLive; then each group in turn marks what it
// reaches among the rest with its own mark, and a node reached by a
// second group becomes markShared. A node changes mark at most twice and
// its edges are followed at most twice, so the work is linear.
const (
	markNone   uint32 = iota
	markLive          // reachable from roots outside the groups
	markShared        // reachable from two or more groups and nothing else
	markOwned         // a group goroutine's descriptor or sudog, see index.measure
	markGroup0        // group k marks with markGroup0+k
)

func newIndex(dm *dump) *index {
	n := dm.objAddr.len()
	ix := &index{nObj: uint32(n), ptrSize: dm.ptrSize}

	// Stack words, sorted, so that pointers into stacks can be found.
	sw := make([]uint32, len(dm.swAddr))
	for i := range sw {
		sw[i] = uint32(i)
	}
	slices.SortFunc(sw, func(a, b uint32) int { return cmp.Compare(dm.swAddr[a], dm.swAddr[b]) })
	ix.swAddr = make([]uint64, len(sw))
	ix.swGroup = make([]int32, len(sw))
	for k, i := range sw {
		ix.swAddr[k] = dm.swAddr[i]
		ix.swGroup[k] = dm.gs[dm.swG[i]].group
	}

	// Objects, sorted by address.
	edgeBegin := func(i uint32) int {
		if i == 0 {
			return 0
		}
		return int(dm.edgeEnd.at(int(i) - 1))
	}
	order := objectOrder(&dm.objAddr, &dm.objSize)
	ix.addr = make([]uint64, n)
	ix.size = make([]uint64, n)
	ix.start = make([]uint64, n+1)
	for k, i := range order {
		ix.addr[k] = dm.objAddr.at(int(i))
		ix.size[k] = dm.objSize.at(int(i))
		ix.start[k+1] = ix.start[k] + dm.edgeEnd.at(int(i)) - uint64(edgeBegin(i))
	}
	dm.objAddr, dm.objSize = column[uint64]{}, column[uint64]{}
	ix.buildPages(dm.arenaLo, dm.arenaHi)

	ix.edges = make([]uint32, dm.edges.len())
	for k, i := range order {
		dst := ix.edges[ix.start[k]:ix.start[k+1]]
		dm.edges.segments(edgeBegin(i), int(dm.edgeEnd.at(int(i))), func(vs []uint64) {
			for j, v := range vs {
				dst[j] = ix.resolve(v)
			}
			dst = dst[len(vs):]
		})
	}
	fz := make([]uint64, len(dm.firstAtZero))
	for k, i := range order {
		if dm.firstAtZero[i/64]&(1<<(i%64)) != 0 {
			fz[k/64] |= 1 << (k % 64)
		}
	}
	dm.firstAtZero = fz
	dm.edges, dm.edgeEnd = column[uint64]{}, column[uint64]{}

	ix.swEdge = make([]uint32, len(sw))
	for k, i := range sw {
		ix.swEdge[k] = ix.resolve(dm.swVal[i])
	}
	dm.swAddr, dm.swVal, dm.swG = nil, nil, nil
	ix.marks = make([]uint32, n+len(sw))
	return ix
}

// objectOrder returns the indexes of the objects sorted by address. The
// runtime dumps span after span, each span's objects in address order,
// so the dump is made of runs of adjacent objects; sorting the runs is
// enough unless the input is garbled, when the objects are sorted one by
// one.
func objectOrder(addr, size *column[uint64]) []uint32 {
	type run struct {
		first uint64
		i, j  uint32
	}
	var runs []run
	n := addr.len()
	for i := 0; i < n; {
		j := i + 1
		for end := addr.at(i) + size.at(i); j < n && addr.at(j) == end && size.at(j-1) != 0; j++ {
			end += size.at(j)
		}
		runs = append(runs, run{addr.at(i), uint32(i), uint32(j)})
		i = j
	}
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.first, b.first) })
	order := make([]uint32, 0, n)
	for _, r := range runs {
		for k := r.i; k < r.j; k++ {
			order = append(order, k)
		}
	}
	for k := 1; k < len(order); k++ {
		if addr.at(int(order[k])) < addr.at(int(order[k-1])) {
			slices.SortStableFunc(order, func(a, b uint32) int { return cmp.Compare(addr.at(int(a)), addr.at(int(b))) })
			break
		}
	}
	return order
}

func (ix *index) buildPages(lo, hi uint64) {
	// At most 4 pages an object, so that memory follows the objects,
	// not the arenas' span, which a garbled dump can make anything.
	np := (hi - lo) >> pageShift
	if np > 4*uint64(ix.nObj)+1024 {
		return
	}
	ix.pageLo = lo
	ix.pages = make([]uint32, np+2)
	k := 0
	for p := range ix.pages {
		ps := lo + uint64(p)<<pageShift
		for k < len(ix.addr) && ix.addr[k] < ps {
			k++
		}
		ix.pages[p] = uint32(k)
	}
}

// resolve returns the node a pointer value points into, or noNode.
func (ix *index) resolve(v uint64) uint32 {
	lo, hi := 0, len(ix.addr) // search [lo, hi) for the first object starting after v
	if ix.pages != nil {
		p := (v - ix.pageLo) >> pageShift
		if v >= ix.pageLo && p+1 < uint64(len(ix.pages)) {
			lo, hi = int(ix.pages[p]), int(ix.pages[p+1])
		}
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.addr[m] <= v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if i := lo - 1; i >= 0 && v-ix.addr[i] < ix.size[i] {
		return uint32(i)
	}
	return ix.stackWord(v)
}

// stackWord returns the node of the stack word at v, or noNode.
func (ix *index) stackWord(v uint64) uint32 {
	if len(ix.swAddr) == 0 {
		return noNode
	}
	v &^= ix.ptrSize - 1
	j := sort.Search(len(ix.swAddr), func(j int) bool { return ix.swAddr[j] >= v })
	if j < len(ix.swAddr) && ix.swAddr[j] == v {
		return ix.nObj + uint32(j)
	}
	return noNode
}

// object returns the object starting exactly at v, or noNode.
func (ix *index) object(v uint64) uint32 {
	i := ix.resolve(v)
	if i < ix.nObj && ix.addr[i] == v {
		return i
	}
	return noNode
}

// mark marks, with mine, the nodes reachable from seeds that this phase
// may claim: group is the phase's group, -1 for the roots outside the
// groups. A stack word is followed only by the phase that owns its
// goroutine, as the garbage collector follows pointers into a stack only
// when it scans that stack.
func (ix *index) mark(mine uint32, group int32, seeds []uint32, stack []uint32) []uint32 {
	stack = append(stack[:0], seeds...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == noNode {
			continue
		}
		if n >= ix.nObj {
			j := n - ix.nObj
			if ix.swGroup[j] != group || ix.marks[n] != markNone {
				continue
			}
			ix.marks[n] = mine
			stack = append(stack, ix.swEdge[j])
			continue
		}
		switch t := ix.marks[n]; {
		case t == markNone:
			ix.marks[n] = mine
		case t >= markGroup0 && t != mine && mine != markLive:
			ix.marks[n] = markShared
		default:
			continue
		}
		stack = append(stack, ix.edges[ix.start[n]:ix.start[n+1]]...)
	}
	return stack
}

// isRuntime reports whether fn is a function of the runtime, to skip
// in an allocation stack.
func isRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/")
}

// measure marks the graph and sums what each group holds.
func (ix *index) measure(dm *dump, ngroups int) *Result {
	gAddr := make(map[uint64]int32, len(dm.gs))
	for gi, g := range dm.gs {
		gAddr[g.addr] = int32(gi)
	}
	seeds := make([][]uint32, ngroups+1) // seeds[0] outside the groups, seeds[k+1] group k
	add := func(group int32, v uint64) {
		seeds[group+1] = append(seeds[group+1], ix.resolve(v))
	}
	for _, v := range dm.roots {
		add(-1, v)
	}
	for _, r := range dm.gRoots {
		add(dm.gs[r.g].group, r.ptr)
	}
	for _, r := range dm.gpRoots {
		group := int32(-1)
		if gi, ok := gAddr[r[0]]; ok {
			group = dm.gs[gi].group
		}
		add(group, r[1])
	}

	// A goroutine's descriptor (g) and the sudogs through which it
	// waits belong to it: they are reachable from the runtime's global
	// list of goroutines, from channel wait queues and from the
	// semaphore table, but what they point to (the channel, the element
	// sent, the mutex's owner struct) is held for the goroutine and
	// would go with it. For a group's goroutines they are marked
	// markOwned, never followed, and their pointers seed the group.
	descs := map[uint32]int32{} // group goroutines' descriptors → group
	for _, g := range dm.gs {
		if g.group < 0 {
			add(-1, g.addr)
			continue
		}
		if i := ix.object(g.addr); i != noNode {
			ix.marks[i] = markOwned
			descs[i] = g.group
		}
	}
	owner := maps.Clone(descs)
	for i := range ix.nObj {
		if dm.firstAtZero[i/64]&(1<<(i%64)) == 0 || ix.start[i] == ix.start[i+1] || ix.marks[i] != markNone {
			continue
		}
		// A sudog's first word points to its goroutine; no other
		// runtime or user object starts with a pointer to a g.
		if t := ix.edges[ix.start[i]]; t < ix.nObj && ix.marks[t] == markOwned {
			if group, ok := descs[t]; ok {
				ix.marks[i] = markOwned
				owner[i] = group
			}
		}
	}
	for i, group := range owner {
		seeds[group+1] = append(seeds[group+1], ix.edges[ix.start[i]:ix.start[i+1]]...)
	}

	var stack []uint32
	stack = ix.mark(markLive, -1, seeds[0], stack)
	for k := range ngroups {
		stack = ix.mark(markGroup0+uint32(k), int32(k), seeds[k+1], stack)
	}

	res := &Result{Groups: make([]Group, ngroups)}
	top := make([][3]uint32, ngroups)
	for k := range top {
		top[k] = [3]uint32{noNode, noNode, noNode}
	}
	for i := range ix.nObj {
		size := ix.size[i]
		switch t := ix.marks[i]; {
		case t == markNone:
			continue
		case t == markShared:
			res.SharedHeapBytes += size
		case t >= markGroup0:
			k := t - markGroup0
			res.Groups[k].RetainedHeapBytes += size
			res.Groups[k].RetainedObjects++
			ix.keepLargest(&top[k], i)
		}
		res.LiveHeapBytes += size
	}
	res.RetainedHeapBytes = res.SharedHeapBytes
	for k := range res.Groups {
		g := &res.Groups[k]
		res.RetainedHeapBytes += g.RetainedHeapBytes
		for _, i := range top[k] {
			if i == noNode {
				break
			}
			o := Object{Addr: ix.addr[i], Size: ix.size[i]}
			if b, ok := dm.samples[o.Addr]; ok {
				o.Alloc = userFrames(dm.buckets[b])
			}
			g.Largest = append(g.Largest, o)
		}
	}
	for _, g := range dm.gs {
		if g.group < 0 {
			continue
		}
		grp := &res.Groups[g.group]
		grp.Goroutines++
		grp.StackBytes += g.stackInUse
		if b, ok := dm.stackBounds[g.addr]; ok && b[0] <= g.sp && g.sp < b[1] {
			grp.StackAllocatedBytes += b[1] - b[0]
		}
	}
	return res
}

// keepLargest puts object i among the three largest in top, biggest
// first, the lower address first among equals.
func (ix *index) keepLargest(top *[3]uint32, i uint32) {
	for p := range top {
		j := top[p]
		if j == noNode || ix.size[i] > ix.size[j] {
			copy(top[p+1:], top[p:len(top)-1])
			top[p] = i
			return
		}
	}
}

// userFrames drops the runtime's frames from the top of an allocation
// stack, so that it starts with the function that allocated.
func userFrames(stk []Frame) []Frame {
	for i, f := range stk {
		if !isRuntime(f.Function) {
			return stk[i:]
		}
	}
	return stk
}
