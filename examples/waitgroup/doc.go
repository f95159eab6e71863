//go:build go1.25

// Package waitgroup shows a goroutine leaked by a sync.WaitGroup whose
// Add and Done calls do not match.
//
// FetchAll counts its workers with a WaitGroup and closes the results
// channel from a goroutine that waits for them all. A worker that fails
// returns early and skips its Done, so the counter never reaches zero:
// the waiting goroutine blocks forever, and FetchAll only returns because
// its context expires.
//
// The fix is WaitGroup.Go, which pairs Add and Done for every goroutine
// it starts, so that no path can skip the Done. Where Add is called by
// hand, "defer wg.Done()" as the first line of the goroutine does the same.
package waitgroup
