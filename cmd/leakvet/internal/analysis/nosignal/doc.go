// Package nosignal defines an Analyzer that reports a sync.Cond waited
// on when nothing ever signals it.
//
// # Analyzer nosignal
//
// nosignal: report Cond.Wait on a condition variable nothing signals
//
// Cond.Wait sleeps until a Signal or Broadcast on the same Cond wakes
// it. When the package waits on a Cond but never calls its Signal or
// Broadcast (the wake-up was left out of the path that changes the
// condition, or calls another Cond), every Wait blocks forever:
//
//	func (q *queue) pop() item {
//		q.mu.Lock()
//		defer q.mu.Unlock()
//		for len(q.items) == 0 {
//			q.nonEmpty.Wait() // push never calls q.nonEmpty.Signal
//		}
//		...
//	}
//
// The check keeps to what it can see whole: a Cond that is a local
// variable, or that an unexported field of a struct of the package holds
// (made for that field by sync.NewCond or as a value), used only by calls
// of its methods (and its L), directly or through closures and functions
// of the package it is passed to. A Cond passed elsewhere or stored is
// someone else's to signal, and is not judged.
package nosignal
