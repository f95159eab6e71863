// Package ctxpass shows a goroutine leaked by a context that is created
// but not passed down.
//
// Lookup derives a context with a timeout, but the goroutine doing the
// work is given the parent context instead. When the resolver does not
// answer, Lookup returns at the deadline, yet the resolver goroutine
// still waits on a context that is never cancelled, here
// context.Background, whose Done channel is nil and blocks forever.
//
// The fix is to pass the derived context to the work it is meant to bound,
// and to give the goroutine a buffered channel so that its result never
// blocks. The same leak appears whenever a cancel function is never
// called: every goroutine waiting on that context stays.
package ctxpass
