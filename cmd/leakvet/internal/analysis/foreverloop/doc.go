// Package foreverloop defines an Analyzer that reports goroutines whose
// loop never ends.
//
// # Analyzer foreverloop
//
// foreverloop: report goroutines that loop forever with no way to stop them
//
// A goroutine whose body is an endless loop (for { select { ... } }, or
// for range over a ticker's channel, which is never closed) and that has
// no return, no break or goto out of the loop, and no receive from a done
// channel (case <-ctx.Done(), case <-done) can never end: every call of
// the function that starts it leaks one goroutine.
//
//	go func() {
//		for {
//			select {
//			case ev := <-events:
//				handle(ev)
//			case <-ticker.C:
//				flush()
//			}
//		}
//	}()
//
// Give the loop a way out its owner controls, such as
// "case <-ctx.Done(): return".
//
// The analyzer looks at goroutines that run a function literal or a
// function of the same package, started by a go statement or by the Go
// method of sync.WaitGroup or errgroup.Group. It is quiet where a goroutine that lives
// as long as the process is intended: in non-test code of main packages,
// in init functions and package variable initializers, and under
// sync.Once (a function literal given to Do, or a function the package
// uses only so).
package foreverloop
