// Package nocancel defines an Analyzer that reports a context whose
// cancel function is kept in a field that nothing ever reads.
//
// # Analyzer nocancel
//
// nocancel: report contexts whose cancel function, kept in a field, is never called
//
// go vet's lostcancel reports a cancel function of context.WithCancel,
// WithTimeout or WithDeadline kept in a local variable and not called on
// every path; it leaves alone one stored in a struct field, to be called
// later by a Close or Stop method. When that method was never written,
// or no longer calls it, nothing in the package reads the field: the
// context is never cancelled, and a goroutine started to wait for it
// waits until its parent ends, which for context.Background is forever:
//
//	func (rs *Rows) initContextClose(ctx context.Context) {
//		ctx, rs.cancel = context.WithCancel(ctx)
//		go rs.awaitDone(ctx)
//	}
//
//	func (rs *Rows) awaitDone(ctx context.Context) {
//		<-ctx.Done() // rs.cancel is never called
//		rs.close(ctx.Err())
//	}
//
// The receives from the context's Done channel in the goroutines given
// the context (as an argument or captured) are reported; when there are
// none, the call that makes the context is. Only unexported fields are
// judged, since other packages may call an exported one.
package nocancel
