package check

// This file holds the "before" set of a test: the goroutines alive when
// Verify is called, which are never the test's leak.

import (
	"slices"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// lastSeen remembers the goroutines known to exist at one moment: those of
// the most recent snapshot, plus the test goroutines that Verify has seen
// start since. Checks fill it with their last snapshot
// (rememberSnapshot); goroutinesBefore reads it and adds test goroutines.
// A test that starts while the runtime's creation count shows that no
// goroutine but its own started since then takes them as its "before"
// set, which saves a dump per test. IDs of goroutines that exited since
// do no harm: the runtime never reuses an ID.
type lastSnapshot struct {
	sync.Mutex
	snap    *runtimeread.Snapshot
	ids     []uint64 // sorted; nil for snap's own IDs
	created uint64   // the creation count that ids account for; 0 if unknown
}

// maxAdded bounds the test goroutines added to the last snapshot's IDs
// before Verify takes a new dump: long runs of tests that start no
// goroutine would otherwise grow the list without end.
const maxAdded = 256

// rememberSnapshot makes s the last snapshot that lastSeen knows.
func rememberSnapshot(s *runtimeread.Snapshot) {
	process.lastSeen.Lock()
	process.lastSeen.snap, process.lastSeen.ids, process.lastSeen.created = s, nil, s.Created
	process.lastSeen.Unlock()
}

// goroutinesBefore returns the sorted IDs of all goroutines alive now,
// from what lastSeen knows when that is still exact, else from a new
// snapshot, and the count of goroutines created so far, read first. It
// also reports whether the goroutine self has started goroutines that are
// still alive: then Verify was called late (deferred, say), and
// goroutines in the "before" set may still be the test's own.
func goroutinesBefore(self uint64) (ids []uint64, created uint64, late bool, err error) {
	_, created = process.reader.LiveCounts()
	process.lastSeen.Lock()
	snap, ids, known := process.lastSeen.snap, process.lastSeen.ids, process.lastSeen.created
	process.lastSeen.Unlock()
	if snap != nil && known != 0 && created != 0 {
		if ids == nil {
			ids = snap.SortedIDs()
		}
		switch {
		case created == known && runtimeread.ContainsID(snap.SortedIDs(), self):
			return ids, created, snap.HasChildOf(self), nil
		case created == known+1 && !runtimeread.ContainsID(ids, self) && len(ids) < len(snap.Goroutines)+maxAdded:
			// Self is newer than what lastSeen knows, and nothing else
			// started since. Insert into a copy: ids may be shared.
			i, _ := slices.BinarySearch(ids, self)
			ids = slices.Insert(slices.Clip(ids), i, self)
			process.lastSeen.Lock()
			if process.lastSeen.snap == snap && process.lastSeen.created == known {
				process.lastSeen.ids, process.lastSeen.created = ids, created
			}
			process.lastSeen.Unlock()
			return ids, created, false, nil
		}
	}
	s, err := process.reader.SnapshotAfter(time.Now())
	if err != nil {
		return nil, created, false, err
	}
	rememberSnapshot(s)
	return s.SortedIDs(), created, s.HasChildOf(self), nil
}
