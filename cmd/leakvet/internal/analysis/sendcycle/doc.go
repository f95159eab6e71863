// Package sendcycle defines an Analyzer that reports two goroutine loops
// that each send, while busy, to the other's only receive.
//
// # Analyzer sendcycle
//
// sendcycle: report two loops that each send to the other while busy
//
// Two goroutines each run a loop that receives from a channel only it
// receives from. While busy between two receives (handling an event, or
// in a select's default case), each sends to the other's channel. When
// both are busy at once, each send waits for a receiver that is itself
// waiting to send: neither loop receives again.
//
//	func (s *store) processRaft() {
//		for {
//			select {
//			case e := <-s.events:
//				e.callback() // sends on s.callbacks
//			case <-s.stopper.ShouldStop():
//				return
//			}
//		}
//	}
//
//	func (s *state) start() {
//		for {
//			select {
//			case cb := <-s.callbacks:
//				cb()
//			default:
//				s.sendEvent() // sends on s.events: blocks while processRaft sends
//			}
//		}
//	}
//
// The check keeps to channels it sees whole: unexported fields (see
// nosender), made unbuffered everywhere, never closed; each received
// from by one function only, in a loop, that the package starts as a
// goroutine. A send counts when it waits for its receiver alone: a send
// statement, or a select whose other cases only receive from channels
// that nothing sends on (stop channels, closed once) or from a context's
// Done. The loops' sends are followed through the package's calls,
// methods, interfaces and callbacks, but not into the goroutines they
// start. Each of the two sends is reported, with the path to it.
package sendcycle
