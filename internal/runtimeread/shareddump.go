package runtimeread

import (
	"sync"
	"sync/atomic"
	"time"
)

// SharedDumps coalesces the snapshots of concurrent checks: parallel tests
// that check at the same time share one dump, and dumps, which stop the
// world, take at most about half of the time while several checks wait.
// A check alone spaces its own dumps (see waitForLeaks), so it is not
// slowed down: sequential tests pay one dump per check and no sleep.
// snapshotAfter fills and reads it; waitForLeaks counts the checks that
// wait, which decides whether dumps are spaced.
var SharedDumps struct {
	sync.Mutex
	inflight *dumpCall
	last     *dumpCall
	Started  uint64       // dumps started so far
	Waiting  atomic.Int32 // checks inside waitForLeaks
}

// A dumpCall is one dump, shared by the checks that wait for it.
type dumpCall struct {
	seq        uint64 // the how-manieth dump
	start, end time.Time
	done       chan struct{}
	snap       *Snapshot
	err        error
}

// SnapshotAfter returns a snapshot whose dump started no earlier than
// after, so it shows every goroutine exit that happened before after. It
// joins a dump in progress when that one qualifies.
//
// Only dumps started after the call qualify, whatever the clocks say:
// inside a testing/synctest bubble, time.Now is the bubble's fake clock,
// which stands still or jumps, so times from inside and outside the
// bubble cannot be compared.
func SnapshotAfter(after time.Time) (*Snapshot, error) {
	SharedDumps.Lock()
	entered := SharedDumps.Started
	for {
		if c := SharedDumps.last; c != nil && c.seq > entered && !c.start.Before(after) {
			SharedDumps.Unlock()
			return c.snap, c.err
		}
		if c := SharedDumps.inflight; c != nil {
			SharedDumps.Unlock()
			<-c.done
			SharedDumps.Lock()
			continue
		}
		SharedDumps.Started++
		c := &dumpCall{seq: SharedDumps.Started, done: make(chan struct{})}
		SharedDumps.inflight = c
		prev := SharedDumps.last
		SharedDumps.Unlock()
		if prev != nil && SharedDumps.Waiting.Load() > 1 {
			// Leave the world running at least as long as the last dump
			// stopped it (never longer: the clocks may differ, see above).
			cost := prev.end.Sub(prev.start)
			if d := time.Until(prev.end.Add(cost)); d > 0 {
				time.Sleep(min(d, cost))
			}
		}
		c.start = time.Now()
		c.snap, c.err = TakeSnapshot()
		c.end = time.Now()
		SharedDumps.Lock()
		SharedDumps.inflight, SharedDumps.last = nil, c
		close(c.done)
	}
}
