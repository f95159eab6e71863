package check

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// Polling: the first look is immediate; after that the check polls two
// counters that cost nanoseconds (goroutines alive, goroutines created),
// with a sleep that starts in microseconds and doubles up to maxPoll.
// maxPoll bounds how late a check notices that the last goroutine exited.
const (
	firstPoll = 10 * time.Microsecond
	maxPoll   = time.Millisecond
	// maxStale is how old a snapshot may grow, where the runtime can prove
	// leaks, before the check looks again: goroutines block (and become
	// provable) without any counter moving.
	maxStale = 10 * time.Millisecond
	// collectGrace is the least time a check leaves finalizers and
	// cleanups to run after it collected garbage, even past its wait.
	collectGrace = 50 * time.Millisecond
	// firstProof is the pause before asking the runtime again to prove
	// leaks when the first proof left goroutines unproven; it doubles each
	// time, so a slow shutdown costs a handful of garbage collections.
	firstProof = 10 * time.Millisecond
)

// A classifier picks, from one snapshot, the goroutines a check blames
// (leaks) and those it cannot attribute (unknown), which are only noted.
type classifier func(*runtimeread.Snapshot) (leaks, unknown []*stack.Goroutine)

// A verdict is the outcome of a check.
type verdict struct {
	leaks   []*stack.Goroutine
	unknown []*stack.Goroutine
	known   []*stack.Goroutine // leaks the baseline knows: noted, not failed
	// singletons are goroutines started once per process: noted, not
	// failed.
	singletons []*stack.Goroutine
	snap       *runtimeread.Snapshot // the last snapshot, for naming owners in the report
	waited     time.Duration         // from the start of the check to the verdict
	// limit is the wait the check ran out of, zero when it did not: the
	// leaks are reported because they outlived it, not because they are
	// proven. sleeping reports that limit was MaxWaitSleeping.
	limit    time.Duration
	sleeping bool
	// extendedTo is MaxWaitSleeping when the check waited past MaxWait,
	// because every goroutine left might still wind down on its own, and
	// then stopped when it found one blocked otherwise; zero when it did
	// not.
	extendedTo time.Duration
	// slowExits are goroutines that were still there slowExit into a
	// recording check and exited later on their own: noted for the
	// baseline, and only while recording one.
	slowExits []*stack.Goroutine
}

// settle applies the baseline b, if any, to the verdict of a check of
// test, and returns its note (see baseline.File.Settle).
func (v *verdict) settle(b *baseline.File, test string) string {
	o := baseline.Outcome{Leaks: v.leaks, Known: v.known, SlowExits: v.slowExits, Singletons: v.singletons}
	note := b.Settle(test, &o)
	v.leaks, v.known = o.Leaks, o.Known
	return note
}

// slowExit is how long into a check a goroutine must still be there for
// a check recording a baseline to note its kind as a slow exit when it
// exits later. Goroutines that stop with their test exit within
// milliseconds, even on a loaded machine; one still there after 100 ms
// waits for something else (a timer, a peer's timeout) and would cost
// every later check about as long, so the baseline knows it instead.
const slowExit = 100 * time.Millisecond

// waitForLeaks takes snapshots until classify finds no leak, every leak
// is proven by the runtime or known to the baseline, or the wait has
// passed: cfg.MaxWait, or the longer cfg.SleepWait while every remaining
// goroutine may still wind down on its own (waiting for a timer, or
// running). Before it gives up on goroutines it could not prove, it runs
// the garbage collector once, so that goroutines stopped by a finalizer
// or a cleanup (runtime.AddCleanup) can go. While recording a baseline it
// waits at most recordWait, less once the goroutines left stand still
// (see stillness), and notes the slow exits.
func waitForLeaks(cfg *Config, classify classifier) (verdict, error) {
	process.reader.SharedDumps.Waiting.Add(1)
	defer process.reader.SharedDumps.Waiting.Add(-1)
	maxWait, sleepWait := cfg.MaxWait, cfg.SleepWait
	if cfg.Baseline.Recording() {
		maxWait, sleepWait = min(maxWait, process.recordWait), min(sleepWait, process.recordWait)
	}
	start := time.Now()
	deadline := start.Add(maxWait)
	sleepDeadline := start.Add(max(maxWait, sleepWait))
	collectAt := start.Add(maxWait / 2)
	collected := maxWait == 0 // zero checks once: nothing to wait for
	w := waiter{deadline: deadline, sleep: firstPoll}
	var (
		lastProof    time.Time
		proofPause   = firstProof
		lastProofFor uint64
		proofUseful  = runtimeread.LeakProfile != nil
		proved       bool // the runtime was asked about these leaks
		// waitedLonger reports that the last look found every goroutine
		// left still winding down, so that the check waited for them
		// up to MaxWaitSleeping.
		waitedLonger bool
		slow         *slowExits // nil unless recording a baseline
		still        *stillness // nil unless recording a baseline
	)
	if cfg.Baseline.Recording() {
		slow = &slowExits{at: start.Add(slowExit)}
		still = &stillness{}
	}
	// A goroutine the test started just before it ended may not have run
	// yet: a dump shows it at its entry function only, where its kind is
	// unknown, and the check would look again after twice a dump's cost.
	// Letting it run first costs a yield.
	runtime.Gosched()
	for {
		dumpStart := time.Now()
		snap, err := process.reader.SnapshotAfter(dumpStart)
		if err != nil {
			return verdict{}, err
		}
		dumpCost := time.Since(dumpStart)
		leaks, unknown := classify(snap)
		// Known kinds first, singletons among them: the baseline says
		// which of its kinds occurred, and knows singletons also where
		// nothing else tells them.
		leaks, known := cfg.Baseline.Split(leaks)
		leaks, singletons := splitSingletons(leaks)
		v := verdict{leaks: leaks, unknown: unknown, known: known, singletons: singletons, snap: snap, waited: time.Since(start)}
		if slow != nil {
			slow.look(dumpStart, leaks)
			v.slowExits = slow.gone(leaks)
		}
		if len(leaks) == 0 || allProven(leaks) || still != nil && still.look(dumpStart, dumpCost, leaks) {
			rememberSnapshot(snap)
			return v, nil
		}
		now := time.Now()
		if proofUseful && allProvable(leaks) {
			key := stack.IDSetKey(leaks)
			if key != lastProofFor || now.Sub(lastProof) >= proofPause {
				if key == lastProofFor {
					proofPause *= 2
				}
				first := key != lastProofFor
				lastProofFor, lastProof = key, now
				proofUseful = process.reader.ProveLeaks(first)
				proved = proofUseful
				continue // look again at once: proven goroutines now say so
			}
		}
		if !collected && !now.Before(collectAt) {
			collected = true
			runtime.GC() // queues the finalizers and cleanups of what it frees
			// Give them time to run, and their goroutines to exit.
			deadline = later(deadline, time.Now().Add(collectGrace))
			sleepDeadline = later(sleepDeadline, deadline)
			continue
		}
		end, limit, sleeping := deadline, maxWait, false
		if allMayWindDown(leaks, proved) {
			end, limit, sleeping = sleepDeadline, max(maxWait, sleepWait), sleepWait > maxWait
		}
		if !now.Before(end) {
			v.limit, v.sleeping = limit, sleeping
			if waitedLonger && !sleeping && report.RoundWait(v.waited) > report.RoundWait(limit) {
				v.extendedTo = sleepWait
			}
			rememberSnapshot(snap)
			return v, nil
		}
		waitedLonger = sleeping
		w.deadline = end
		if !collected && collectAt.Before(w.deadline) {
			w.deadline = collectAt // wake up to collect
		}
		if slow != nil && !slow.looked && slow.at.Before(w.deadline) {
			w.deadline = slow.at // wake up to see who is still there
		}
		if still != nil && still.blocks != nil && still.due().Before(w.deadline) {
			w.deadline = still.due() // wake up to see them still
		}
		// A running goroutine will soon block or exit: look again soon,
		// as when waiting for proofs, rather than only on exits. A
		// recording check waits for proofs no more than for anything
		// else: what stands still it records, proven or not, and it
		// looks when goroutines exit or when they would have stood still
		// long enough.
		w.wait(snap, len(leaks), dumpStart, dumpCost, proofUseful && still == nil || anyProgressing(leaks))
	}
}

// slowExits follows, for a check recording a baseline, the goroutines
// still there slowExit into the check, to note those that exit later.
type slowExits struct {
	at     time.Time // slowExit into the check
	looked bool      // a look began at or after at
	// last holds, by ID, the latest view of each goroutine still there
	// at the first look after at, blocked rather than running where
	// any look saw it blocked: its stack then says what it waits for.
	last map[uint64]*stack.Goroutine
}

// look notes leaks, seen by a look that began at dumpStart.
func (s *slowExits) look(dumpStart time.Time, leaks []*stack.Goroutine) {
	if dumpStart.Before(s.at) {
		return
	}
	if !s.looked {
		s.looked = true
		s.last = make(map[uint64]*stack.Goroutine, len(leaks))
		for _, g := range leaks {
			s.last[g.ID] = g
		}
		return
	}
	for _, g := range leaks {
		if prev, ok := s.last[g.ID]; ok && (!stack.Progressing(g) || stack.Progressing(prev)) {
			s.last[g.ID] = g
		}
	}
}

// gone returns the goroutines followed that are not among leaks: those
// that exited slowly, or that a baseline recorded meanwhile now knows.
func (s *slowExits) gone(leaks []*stack.Goroutine) []*stack.Goroutine {
	if !s.looked {
		return nil
	}
	still := make(map[uint64]bool, len(leaks))
	for _, g := range leaks {
		still[g.ID] = true
	}
	var gone []*stack.Goroutine
	for id, g := range s.last {
		if !still[id] {
			gone = append(gone, g)
		}
	}
	slices.SortFunc(gone, func(a, b *stack.Goroutine) int { return cmp.Compare(a.ID, b.ID) })
	return gone
}

// A waiter paces the snapshots of one check.
type waiter struct {
	deadline time.Time
	sleep    time.Duration // the next poll's sleep
}

// wait returns when a new snapshot may change the verdict on the
// candidates goroutines that snap blamed, a dump of which began at
// dumpStart and took dumpCost:
//
//   - at once when enough goroutines exited since snap for all the
//     candidates to be gone, so that a passing check ends right after the
//     last exit;
//   - if refresh, when another goroutine started or exited, or when snap
//     is maxStale old: refresh is for checks whose candidates may change
//     without exiting, becoming provable as they block where the runtime
//     can prove leaks, or known to the baseline as a running goroutine
//     reaches where it waits. But no sooner than twice dumpCost after
//     dumpStart: dumps stop the world, and the goroutines being waited
//     for need it to run;
//   - at the deadline.
//
// Otherwise nothing but exits can turn a failing verdict into a passing
// one before the deadline, so the check leaves the world alone.
func (w *waiter) wait(snap *runtimeread.Snapshot, candidates int, dumpStart time.Time, dumpCost time.Duration, refresh bool) {
	// Without a creation count, a start and an exit together leave the
	// counters as they were: refresh.
	refresh = refresh || snap.Created == 0
	spaced := dumpStart.Add(2 * dumpCost)
	staleAt := dumpStart.Add(max(maxStale, 2*dumpCost))
	for {
		// Look before sleeping: the exits may have come during the dump.
		live, created := process.reader.LiveCounts()
		if exitedSince(snap, live, created) >= candidates {
			w.settle(live, created, dumpCost/settleShare)
			return
		}
		now := time.Now()
		if !now.Before(w.deadline) {
			return
		}
		if refresh && !now.Before(spaced) &&
			(!now.Before(staleAt) || live != snap.Live || created != snap.Created) {
			return
		}
		time.Sleep(min(w.sleep, time.Until(w.deadline)))
		w.sleep = min(2*w.sleep, maxPoll)
	}
}

// settleShare sets how long, as a share of a dump's cost, a check lets a
// burst of exits settle before it dumps: goroutines shutting down often
// exit within microseconds of each other (a closed channel wakes several,
// a timer's goroutine exits right before the goroutine it woke), and a
// dump that catches the last of them still running is a dump wasted.
const settleShare = 16

// settle waits, at most budget, until the counters stop moving: two
// readings in a row that agree. Below a millisecond, which is how long
// any sleep really lasts on many systems, it yields instead of sleeping:
// that lets a goroutine just woken run to its end.
func (w *waiter) settle(live int, created uint64, budget time.Duration) {
	end := time.Now().Add(min(budget, time.Until(w.deadline)))
	for time.Now().Before(end) {
		if time.Until(end) < time.Millisecond {
			runtime.Gosched()
		} else {
			time.Sleep(firstPoll)
		}
		l, c := process.reader.LiveCounts()
		if l == live && c == created {
			return
		}
		live, created = l, c
	}
}

// exitedSince returns how many goroutines may have exited since the dump
// of snap, given the counters read now: at least as many as did. Every
// goroutine created is alive or has exited, so created minus alive counts
// the exits; snap's counters were read before its dump, created first,
// and these after, alive first, so that goroutines starting in between
// can only make the count larger. Without a creation count it counts any
// change as possibly all exits.
func exitedSince(snap *runtimeread.Snapshot, live int, created uint64) int {
	if snap.Created == 0 || created == 0 {
		if live != snap.Live {
			return math.MaxInt
		}
		return 0
	}
	before := int64(snap.Created) - int64(snap.Live)
	now := int64(created) - int64(live)
	return int(max(0, now-before))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// mayWindDown reports whether g may still wind down on its own: running
// or about to (progressing), asleep, or in a select (where timers are
// usually awaited) that the runtime did not prove leaked; once the
// runtime has been asked (proved), also a channel receive it did not
// prove, such as one on a timer's channel.
func mayWindDown(g *stack.Goroutine, proved bool) bool {
	switch {
	case stack.Progressing(g), g.State == "sleep":
		return true
	case g.State == "select":
		return !g.Proven
	case g.State == "chan receive":
		return proved && !g.Proven
	}
	return false
}

// allMayWindDown reports whether every unproven goroutine of gs may still
// wind down on its own: only then is the longer wait worth its time. One
// goroutine blocked otherwise past MaxWait fails the check anyway.
func allMayWindDown(gs []*stack.Goroutine, proved bool) bool {
	for _, g := range gs {
		if !g.Proven && !mayWindDown(g, proved) {
			return false
		}
	}
	return true
}

func anyProgressing(gs []*stack.Goroutine) bool {
	for _, g := range gs {
		if stack.Progressing(g) {
			return true
		}
	}
	return false
}

func allProven(gs []*stack.Goroutine) bool {
	for _, g := range gs {
		if !g.Proven {
			return false
		}
	}
	return true
}

// allProvable reports whether every unproven goroutine waits on something
// the runtime's leak detector can judge. Running, runnable, sleeping or
// I/O-bound goroutines are still making progress: proving is pointless
// until they block.
func allProvable(gs []*stack.Goroutine) bool {
	for _, g := range gs {
		if !g.Proven && !stack.Provable(g.State) {
			return false
		}
	}
	return true
}
