// Package stoppedreceiver defines an Analyzer that reports a send whose
// only receiver is a goroutine's loop that can stop receiving.
//
// # Analyzer stoppedreceiver
//
// stoppedreceiver: report sends whose only receiver is a loop that can return
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
// The check keeps to a shape it can judge whole: the channel is in an
// unexported struct field of the package, always made unbuffered, never
// closed, never handed out (but as a receive-only channel by an
// accessor); every receive from it is a case of a select in a loop of
// one function, which the package starts as a goroutine, and another
// case of each such select returns. A send alone (not in a select) from
// any other function is reported.
package stoppedreceiver
