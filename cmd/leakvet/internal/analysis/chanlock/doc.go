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
// The channel is a struct field, made wherever the package makes it
// without a buffer or with a buffer of a constant size, and used only
// by sends, receives (alone, in a select, in a range) and close,
// directly or through an accessor method that only returns it
// (func (rr *roundRobin) notify() <-chan bool { return rr.addrCh }),
// called by name or through an interface of the package. The accessor
// may be exported when no other package can hold a value of its type:
// a type the package's exported API never hands out (as a result, an
// exported field or variable, or through an interface the API names)
// and never converts to another package's interface. A field whose
// channel is returned by a method other packages can call, passed on,
// stored elsewhere, or is itself an exported field of such a type, has
// partners the analysis cannot see, and is left alone.
//
// A partner takes the lock first when it holds it at its operation or
// takes it, in the same function, on a path that reaches its operation
// (the next turn of its loop, for instance), through the calls of the
// package, including callbacks kept in fields and interface methods. A
// deferred close is made when its function returns.
//
// The send or receive may be made by a function of the package that
// holds no lock itself, called (up to three calls deep) by one that
// does: it is reported where it blocks, with the calls that lead there,
// unless a function on the way releases a lock of that type (an unlock
// around a slow call), or it is a test's fake reached from the code
// under test through an interface.
//
// Through a buffer, a send blocks only once the buffer is full: a
// buffered channel is judged when every partner takes the lock in a loop
// around its operation (a consumer that calls back into the producer
// between receives, etcd's token keeper), so that a full buffer is never
// drained, and left alone when the package ever empties it without
// waiting (a select with a default, grpc's fix). A partner that holds
// the lock at its operation is then no proof: the buffer may have room.
// Release the lock before waiting, or give the consumer a way that does
// not need the lock.
package chanlock
