// Package noreceiver defines an Analyzer that reports a send on a
// channel that nothing ever receives from.
//
// # Analyzer noreceiver
//
// noreceiver: report sends on a channel nothing receives from
//
// A struct keeps a channel in an unexported field for a consumer that
// was to drain it, and the package sends on it but never receives from
// it (the consumer was removed, returns early, or reads another
// channel). An unbuffered channel blocks its first send forever; a
// buffered one blocks the send after its buffer fills, and the sends
// repeat:
//
//	type rowChannel struct{ data chan row }
//
//	func (rc *rowChannel) push(r row) {
//		rc.data <- r // nothing receives from rowChannel.data
//	}
//
//	func (f *flow) cancel() {
//		for _, rc := range f.pending {
//			rc.push(row{}) // the second push blocks forever
//		}
//	}
//
// The check keeps to a shape it can judge, the mirror of nosender's: the
// field is unexported, so only this package can reach it; the channels
// stored in it are made for it (or nil); every value read from it is
// sent on, compared, or measured with len or cap, and never received
// from, closed, passed to another package, returned or stored
// elsewhere. A send alone (or the only case of a select) is reported.
// When a channel of the field may be buffered, the send is reported
// only if it repeats: it is in a loop, or in a function the package
// calls from a loop (through its own functions, methods, interfaces and
// callbacks), so that the buffer, whatever its size, fills. A buffered
// channel sent on once and never read is dead code, not a blocked
// goroutine, and is not reported.
package noreceiver
