// Package stoppedpartner defines an Analyzer that reports a send or a
// receive whose only partner is a goroutine's loop that can stop.
//
// # Analyzer stoppedpartner
//
// stoppedpartner: report channel operations whose only partner is a loop that can return
//
// A component runs a loop in a goroutine that serves requests from a
// channel until told to stop; a method hands it work by sending on the
// channel. Once the loop has returned, nothing receives any more, and
// the next send blocks forever (a Status called after Stop, a request
// racing a shutdown):
//
//	func (n *node) Status() Status {
//		c := make(chan Status)
//		n.status <- c // blocks forever once run has returned
//		return <-c
//	}
//
//	func (n *node) run() {
//		for {
//			select {
//			case c := <-n.status:
//				c <- Status{}
//			case <-n.stop:
//				close(n.done)
//				return
//			}
//		}
//	}
//
// The fix is a select that also waits for what stops the loop:
//
//	select {
//	case n.status <- c:
//	case <-n.done:
//		return Status{}
//	}
//
// The same holds the other way: a receive whose only sender is such a
// loop waits forever once the loop has returned, unless the loop closes
// the channel.
//
// The check keeps to a shape it can judge whole: the channel is in an
// unexported struct field of the package, always made unbuffered, never
// closed, never handed out (but as a receive-only channel by an
// accessor); every receive from it (or every send on it) is a case of a
// select in a loop of one function, which the package starts as a
// goroutine, and another case of each such select returns. A send (or a
// receive) alone, not in a select, in any other function is reported.
// Cases of the reported direction in other selects (a receive that also
// watches the context) are no partners and are left out. The field may
// hold a slice of channels, whose elements are then its channels, and in
// a package nothing can import (test files alone) an exported field is
// judged too.
package stoppedpartner
