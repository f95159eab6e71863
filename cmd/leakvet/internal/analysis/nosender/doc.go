// Package nosender defines an Analyzer that reports a receive from a
// channel that nothing ever sends on or closes.
//
// # Analyzer nosender
//
// nosender: report receives from a channel nothing sends on or closes
//
// A function makes a channel to hear back from a goroutine, passes it
// to the goroutine, and waits on it; but the goroutine never sends and
// never closes it (the close was forgotten, or moved), so the wait
// never ends:
//
//	done := make(chan bool)
//	go cc.watch(done) // watch never uses done
//	<-done            // blocks forever
//
// The check keeps to a shape it can judge: the channel is made in the
// function, which only receives from it (alone, not in a select) and
// passes it to goroutines it starts on functions of the package, and
// neither they nor the function send on it, close it, or pass it on.
//
// It also reports receives from an unexported channel field of a struct
// that the package only ever receives from: the channels stored in the
// field are made for it (or nil), and every value read from it is
// received from, compared, measured with len or cap, or returned as a
// receive-only channel by an accessor (`Done() <-chan struct{}`) whose
// calls are then followed too. No one else can reach the field, so no
// one can ever send on it or close it: a receive alone (or the only case
// of a select) blocks forever. A stream whose close was to signal its
// reader and does not:
//
//	type recvBuffer struct{ c chan bool }
//
//	func (b *recvBuffer) get() <-chan bool { return b.c }
//
//	func (r *reader) Read() {
//		<-r.recv.get() // nothing sends on recvBuffer.c or closes it
//	}
//
// A receive in a select with other cases is not reported: the other
// cases may end it. The field may hold a slice of channels, whose
// elements are then its channels; in a package made only of test files,
// with no external test package beside it, nothing else can reach an
// exported field either, and it is judged too.
package nosender
