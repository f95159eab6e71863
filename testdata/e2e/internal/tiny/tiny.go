// Package tiny places a value of the runtime's tiny allocator where the
// runtime can prove a leak through it.
package tiny

import "unsafe"

var sink any

// New returns a new T, 8 bytes without pointers (the tiny allocator's:
// such values share 16-byte blocks), that begins its block, the rest of
// which is garbage. A neighbour that stays alive, allocated before it or
// after, would keep the block, T with it, from every proof of a leak:
// the runtime's blind spot, not what the fixtures test. Where a new value
// lands depends on what the process allocated before (its environment,
// for one), so New allocates until one begins a block.
func New[T any]() *T {
	for {
		v := new(T)
		sink = v            // on the heap
		sink = new([8]byte) // the rest of its block
		sink = nil          // all of it garbage, but v
		if uintptr(unsafe.Pointer(v))%16 == 0 {
			return v
		}
	}
}
