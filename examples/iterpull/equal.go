//go:build go1.23

package iterpull

import "iter"

// Equal reports whether a and b yield the same values in the same order.
//
// Bug: stop is never called, so when Equal returns before both sequences
// are exhausted, their iterator goroutines are left suspended forever.
func Equal[V comparable](a, b iter.Seq[V]) bool {
	nextA, _ := iter.Pull(a)
	nextB, _ := iter.Pull(b)
	for {
		va, okA := nextA()
		vb, okB := nextB()
		if okA != okB || va != vb {
			return false
		}
		if !okA {
			return true
		}
	}
}

// EqualFixed is Equal without the leak: the deferred stops end both
// iterators whenever it returns.
func EqualFixed[V comparable](a, b iter.Seq[V]) bool {
	nextA, stopA := iter.Pull(a)
	defer stopA()
	nextB, stopB := iter.Pull(b)
	defer stopB()
	for {
		va, okA := nextA()
		vb, okB := nextB()
		if okA != okB || va != vb {
			return false
		}
		if !okA {
			return true
		}
	}
}
