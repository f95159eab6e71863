//go:build go1.23

// Package iterpull shows goroutines leaked by iter.Pull when its stop
// function is never called.
//
// iter.Pull runs the push iterator in a goroutine of its own (a
// coroutine), suspended between calls to next. The goroutine ends only
// when the iterator is exhausted or stop is called. Equal compares two
// sequences and returns at the first difference without calling stop, so
// both iterator goroutines stay suspended for the rest of the program,
// with everything the iterators hold.
//
// The fix is "defer stop()" right after iter.Pull, as its documentation
// asks; calling stop on an exhausted iterator is harmless.
package iterpull
