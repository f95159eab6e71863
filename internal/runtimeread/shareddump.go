package runtimeread

import (
	"sync"
	"sync/atomic"
	"time"
)

// sharedDumps coalesces the snapshots of concurrent checks: parallel tests
// that check at the same time share one dump, and dumps, which stop the
// world, take at most about half of the time while several checks wait.
// A check alone spaces its own dumps (see check's waitForLeaks), so it is not
// slowed down: sequential tests pay one dump per check and no sleep.
// SnapshotAfter fills and reads it; the wait loop counts the checks that
// wait, which decides whether dumps are spaced.
type sharedDumps struct {
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
func (r *Reader) SnapshotAfter(after time.Time) (*Snapshot, error) {
	r.SharedDumps.Lock()
	entered := r.SharedDumps.Started
	for {
		if c := r.SharedDumps.last; c != nil && c.seq > entered && !c.start.Before(after) {
			r.SharedDumps.Unlock()
			return c.snap, c.err
		}
		if c := r.SharedDumps.inflight; c != nil {
			r.SharedDumps.Unlock()
			<-c.done
			r.SharedDumps.Lock()
			continue
		}
		r.SharedDumps.Started++
		c := &dumpCall{seq: r.SharedDumps.Started, done: make(chan struct{})}
		r.SharedDumps.inflight = c
		prev := r.SharedDumps.last
		r.SharedDumps.Unlock()
		if prev != nil && r.SharedDumps.Waiting.Load() > 1 {
			// Leave the world running at least as long as the last dump
			// stopped it (never longer: the clocks may differ, see above).
			cost := prev.end.Sub(prev.start)
			if d := time.Until(prev.end.Add(cost)); d > 0 {
				time.Sleep(min(d, cost))
			}
		}
		c.start = time.Now()
		c.snap, c.err = r.TakeSnapshot()
		c.end = time.Now()
		r.SharedDumps.Lock()
		r.SharedDumps.inflight, r.SharedDumps.last = nil, c
		close(c.done)
	}
}
