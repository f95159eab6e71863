// Package abandonedproducer defines an Analyzer that reports a goroutine
// left blocked sending because its consumer returned from the loop that
// read it.
//
// # Analyzer abandonedproducer
//
// abandonedproducer: report producers left blocked when their consumer returns from its range loop
//
// A function makes a channel, starts a goroutine that sends on it in a
// loop, and ranges over it; but on some path, often a cancelled context
// or an error, it returns from inside the loop. Nobody reads again, and
// the producer blocks on its next send forever, whatever the buffer:
//
//	ch := make(chan span, 6)
//	go func() {
//		defer close(ch)
//		split(ctx, ch) // sends in a loop
//	}()
//	for s := range ch {
//		if err := ingest(s); err != nil {
//			return err // the producer is left blocked
//		}
//	}
//
// Have the producer stop too: send in a select with a case <-ctx.Done(),
// and cancel that context on the way out, or drain the channel before
// returning.
//
// The check keeps to a shape it can judge: the channel is made in the
// function, which only receives from it; one goroutine, started there
// from a function literal, is its only sender, directly or through
// functions of the package it passes the channel to, and sends outside
// any select, in a loop.
package abandonedproducer
