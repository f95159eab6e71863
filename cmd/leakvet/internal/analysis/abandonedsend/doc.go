// Package abandonedsend defines an Analyzer that reports goroutines left
// blocked forever on a send because their caller returned without
// receiving.
//
// # Analyzer abandonedsend
//
// abandonedsend: report sends on unbuffered channels that the receiver can abandon by returning early
//
// A function makes an unbuffered channel, starts a goroutine that sends
// its result on it, and receives the result later; but on some path,
// often a timeout or an error, it returns first. Nobody will ever receive,
// and the goroutine blocks on its send forever:
//
//	ch := make(chan result)
//	go func() { ch <- fetch() }()
//	select {
//	case r := <-ch:
//		return r, nil
//	case <-ctx.Done():
//		return result{}, ctx.Err() // the goroutine leaks here
//	}
//
// Give the channel room for the result, make(chan result, 1), so the
// send completes whoever receives; the suggested fix does that when the
// goroutine sends once.
//
// The check is within one function and keeps to the shape it can judge:
// the channel is a local variable made unbuffered, used only by the
// function (receives, close, len, cap) and by one goroutine started from
// a function literal outside any loop (or in the loop turn that makes the
// channel), or on a function of the package given the channel that does
// nothing else with it, which sends on it outside a select. It reports when some path from the go statement to a return
// receives nothing from the channel. A channel passed to other functions
// or closures, or sent on within a select, is left alone.
package abandonedsend
