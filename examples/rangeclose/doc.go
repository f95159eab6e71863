// Package rangeclose shows a goroutine leaked by a range over a channel
// that is never closed.
//
// Squares hands numbers to a worker goroutine through a jobs channel. The
// worker loops with "for n := range jobs", which ends only when jobs is
// closed; Squares never closes it, so once the last number is done the
// worker waits forever for the next one.
//
// The fix is for the sender, which knows when there is no more work, to
// close the channel: "defer close(jobs)" also covers early returns.
package rangeclose
