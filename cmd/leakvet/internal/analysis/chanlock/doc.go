// Package chanlock defines an Analyzer that reports a channel operation
// made while holding a lock that the other side must take first.
//
// # Analyzer chanlock
//
// chanlock: report a send or receive made holding a lock that every partner takes before its side
//
// A goroutine that holds a lock while it waits on an unbuffered channel
// waits for a partner; when every partner must take the same lock before
// it reaches the channel, the partner waits for the lock and neither
// moves:
//
//	func (t *client) keepalive() {
//		t.mu.Lock()
//		if len(t.streams) == 0 {
//			<-t.awaken // blocks forever: every send on t.awaken holds t.mu
//		}
//		t.mu.Unlock()
//	}
//
//	func (t *client) NewStream() {
//		t.mu.Lock()
//		defer t.mu.Unlock()
//		select {
//		case t.awaken <- struct{}{}:
//		default:
//		}
//	}
//
// The channel is a struct field, made unbuffered wherever the package
// makes it, and used only by sends, receives (alone, in a select, in a
// range) and close, directly or through an unexported accessor method
// (func (rr *roundRobin) notify() <-chan bool { return rr.addrCh }),
// called by name or through an interface of the package: a field whose
// channel is returned by an exported method, passed on or stored
// elsewhere has partners the analysis cannot see, and is left alone. A
// partner takes the lock first when it holds it at its operation or
// takes it, in the same function, on a path that reaches its operation
// (the next turn of its loop, for instance), through the calls of the
// package, including callbacks kept in fields and interface methods. A
// deferred close is made when its function returns. Release the lock
// before waiting, or give the channel a buffer.
package chanlock
