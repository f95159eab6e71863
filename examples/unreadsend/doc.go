// Package unreadsend shows a goroutine leaked by a send that nobody will
// ever receive.
//
// FetchFirst starts the fetch in a goroutine and waits for its result or
// a timeout. When the timeout wins, FetchFirst returns and nothing reads
// the unbuffered result channel any more: the goroutine blocks forever in
// its send, holding whatever the fetch allocated.
//
// The fix is to give the result somewhere to go: a channel with a buffer
// of one lets the goroutine send and exit whether or not anybody is still
// waiting. Passing a context down so that the fetch itself stops early is
// better still.
package unreadsend
