package leakcheck

import (
	"time"
)

// Polling: the first look is immediate; after that the check polls two
// counters that cost nanoseconds (goroutines alive, goroutines created),
// with a sleep that starts in microseconds and doubles up to maxPoll. A
// new dump is taken only when a counter moved, or every maxStale so that
// changes of state are seen too. maxPoll bounds how late a check notices
// that the last goroutine exited.
const (
	firstPoll = 10 * time.Microsecond
	maxPoll   = time.Millisecond
	maxStale  = 10 * time.Millisecond
	// firstProof is the pause before asking the runtime again to prove
	// leaks when the first proof left goroutines unproven; it doubles each
	// time, so a slow shutdown costs a handful of garbage collections.
	firstProof = 10 * time.Millisecond
)

// A classifier picks, from one snapshot, the goroutines a check blames
// (leaks) and those it cannot attribute (unknown), which are only noted.
type classifier func(*snapshot) (leaks, unknown []*Goroutine)

// A verdict is the outcome of a check.
type verdict struct {
	leaks   []*Goroutine
	unknown []*Goroutine
	snap    *snapshot     // the last snapshot, for naming owners in the report
	waited  time.Duration // from the start of the check to the verdict
}

// waitForLeaks takes snapshots until classify finds no leak, every leak
// is proven by the runtime, or maxWait has passed.
func waitForLeaks(maxWait time.Duration, classify classifier) (verdict, error) {
	shared.waiting.Add(1)
	defer shared.waiting.Add(-1)
	start := time.Now()
	deadline := start.Add(maxWait)
	sleep := firstPoll
	var (
		lastProof     time.Time
		proofPause    = firstProof
		lastProofFor  uint64
		proofUseful   = leakProfile != nil
		lastDumpCost  time.Duration
		lastDumpStart time.Time
	)
	for {
		lastDumpStart = time.Now()
		snap, err := snapshotAfter(lastDumpStart)
		if err != nil {
			return verdict{}, err
		}
		lastDumpCost = time.Since(lastDumpStart)
		leaks, unknown := classify(snap)
		v := verdict{leaks: leaks, unknown: unknown, snap: snap, waited: time.Since(start)}
		if len(leaks) == 0 || allProven(leaks) {
			remember(snap)
			return v, nil
		}
		now := time.Now()
		if proofUseful && allProvable(leaks) {
			key := idSetKey(leaks)
			if key != lastProofFor || now.Sub(lastProof) >= proofPause {
				if key == lastProofFor {
					proofPause *= 2
				}
				lastProofFor, lastProof = key, now
				proofUseful = proveLeaks()
				continue // look again at once: proven goroutines now say so
			}
		}
		if !now.Before(deadline) {
			remember(snap)
			return v, nil
		}
		// Wait for a counter to move, for the snapshot to grow stale, or for
		// the deadline. Dumps stop the world, so keep at least twice a
		// dump's cost between two of them.
		staleAt := lastDumpStart.Add(max(maxStale, 2*lastDumpCost))
		live, created := snap.live, snap.created
		for {
			time.Sleep(min(sleep, time.Until(deadline)))
			sleep = min(2*sleep, maxPoll)
			now := time.Now()
			if !now.Before(deadline) || !now.Before(staleAt) {
				break
			}
			if l, c := liveCounts(); l != live || c != created || c == 0 {
				if now.Sub(lastDumpStart) >= 2*lastDumpCost {
					break
				}
			}
		}
	}
}

func allProven(gs []*Goroutine) bool {
	for _, g := range gs {
		if !g.Leaked {
			return false
		}
	}
	return true
}

// allProvable reports whether every unproven goroutine waits on something
// the runtime's leak detector can judge. Running, runnable, sleeping or
// I/O-bound goroutines are still making progress: proving is pointless
// until they block.
func allProvable(gs []*Goroutine) bool {
	for _, g := range gs {
		if !g.Leaked && !g.blockedOnPrimitive() {
			return false
		}
	}
	return true
}

// idSetKey condenses a set of goroutine IDs into a number that changes
// when the set does (for all practical purposes).
func idSetKey(gs []*Goroutine) uint64 {
	var sum, xor uint64
	for _, g := range gs {
		sum += g.ID * 0x9E3779B97F4A7C15
		xor ^= g.ID
	}
	return sum ^ xor<<1 ^ uint64(len(gs))
}
