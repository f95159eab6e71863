// Package ticker shows a goroutine leaked by a time.Ticker that is never
// stopped.
//
// StartHeartbeat calls a function on every tick from a goroutine that
// loops over the ticker's channel. Nothing ever stops the ticker, and even
// Stop would not help: it does not close the channel, so "for range t.C"
// never ends. The goroutine ticks for the rest of the program.
//
// The fix returns a stop function that ends the loop through a channel of
// its own, stops the ticker, and waits for the goroutine to return.
//
// The runtime cannot prove this leak (a ticker can always fire again),
// so leakcheck reports it once its wait, MaxWait, has passed.
package ticker
