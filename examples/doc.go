// Package examples holds one small package per typical goroutine leak,
// each with the buggy function, the fixed function, and tests that show
// leakcheck failing the first and passing the second:
//
//   - unreadsend: a send on an unbuffered channel nobody reads any more,
//     a result abandoned on timeout.
//   - rangeclose: a range over a channel that is never closed.
//   - ctxpass: a context with a timeout that is not passed down.
//   - selectloop: a for-select loop without a way out.
//   - httpbody: an HTTP response body that is never closed.
//   - ticker: a time.Ticker that is never stopped.
//   - panicworker: a worker that dies on a recovered panic while the
//     other workers wait forever.
//   - waitgroup: a sync.WaitGroup whose Add and Done do not match.
//   - mutex: a mutex left locked on an error path.
//   - iterpull: an iter.Pull whose stop function is never called.
//   - testifysuite: leakcheck in a testify suite, per test and per suite,
//     catching a cache whose Close forgets its background goroutine.
//
// The tests of the buggy versions are skipped unless LEAKCHECK_DEMO is
// set:
//
//	LEAKCHECK_DEMO=1 go test ./examples/...
//
// fails exactly those tests, each with the leakcheck report naming the
// leaked goroutine.
package examples
