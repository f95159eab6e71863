package leakcheck

import (
	"sync"
	"sync/atomic"
	"time"
)

// shared coalesces the snapshots of concurrent checks: parallel tests
// that check at the same time share one dump, and dumps, which stop the
// world, take at most about half of the time while several checks wait.
// A check alone spaces its own dumps (see waitForLeaks), so it is not
// slowed down: sequential tests pay one dump per check and no sleep.
var shared struct {
	sync.Mutex
	inflight *dumpCall
	last     *dumpCall
	started  uint64       // dumps started so far
	waiting  atomic.Int32 // checks inside waitForLeaks
}

type dumpCall struct {
	seq        uint64 // the how-manieth dump
	start, end time.Time
	done       chan struct{}
	snap       *snapshot
	err        error
}

// snapshotAfter returns a snapshot whose dump started no earlier than
// after, so it shows every goroutine exit that happened before after. It
// joins a dump in progress when that one qualifies.
//
// Only dumps started after the call qualify, whatever the clocks say:
// inside a testing/synctest bubble, time.Now is the bubble's fake clock,
// which stands still or jumps, so times from inside and outside the
// bubble cannot be compared.
func snapshotAfter(after time.Time) (*snapshot, error) {
	shared.Lock()
	entered := shared.started
	for {
		if c := shared.last; c != nil && c.seq > entered && !c.start.Before(after) {
			shared.Unlock()
			return c.snap, c.err
		}
		if c := shared.inflight; c != nil {
			shared.Unlock()
			<-c.done
			shared.Lock()
			continue
		}
		shared.started++
		c := &dumpCall{seq: shared.started, done: make(chan struct{})}
		shared.inflight = c
		prev := shared.last
		shared.Unlock()
		if prev != nil && shared.waiting.Load() > 1 {
			// Leave the world running at least as long as the last dump
			// stopped it (never longer: the clocks may differ, see above).
			cost := prev.end.Sub(prev.start)
			if d := time.Until(prev.end.Add(cost)); d > 0 {
				time.Sleep(min(d, cost))
			}
		}
		c.start = time.Now()
		c.snap, c.err = takeSnapshot()
		c.end = time.Now()
		shared.Lock()
		shared.inflight, shared.last = nil, c
		close(c.done)
	}
}
