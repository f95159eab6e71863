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
// judged, since other packages may call an exported one (in a package
// nothing can import, made of test files alone, every field is).
//
// When the field is read (by a Close or Rollback method), the check
// follows the object that holds it, and the context in another of its
// fields: made with WithCancel or WithCancelCause of a context that never
// ends (context.Background or TODO, directly or given by the call that
// drops it), the object is dropped uncancelled when the function that
// makes it returns without calling, on it, a function of the package that
// calls its cancel function, and without returning it, storing it, or
// giving it to code out of sight; or when that function returns it to a
// caller in the package that discards the result. The receives from the
// context's Done in the goroutines given the object then wait forever:
//
//	func (db *DB) begin(ctx context.Context) *Tx {
//		ctx, cancel := context.WithCancel(ctx)
//		tx := &Tx{ctx: ctx, cancel: cancel}
//		go tx.awaitDone() // <-tx.ctx.Done(): only Rollback calls tx.cancel
//		return tx
//	}
//
//	db.begin(context.Background()) // dropped, never rolled back
//
// A wait is a receive from Done alone, the only case of a select, or a
// case of a select in an endless for loop (no condition) whose only way
// out is that case: a retry loop that runs until the context ends.
package nocancel
