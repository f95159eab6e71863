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
package nosender
