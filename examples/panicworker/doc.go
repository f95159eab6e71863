// Package panicworker shows goroutines leaked when a worker dies on a
// recovered panic and the others are left waiting.
//
// MapAll runs one worker per item. A worker that panics recovers and
// reports the panic as an error, and MapAll returns at the first error.
// The workers still running then have nobody to deliver their results to:
// each one blocks forever on its send to the unbuffered results channel.
//
// The fix gives every worker a place for its result: a channel buffered
// for all of them, so a worker can always finish, whether or not MapAll
// is still listening. (Waiting for all workers before returning works
// too, at the cost of waiting for the slowest.)
package panicworker
