package check

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// The watcher's pace. It looks at the goroutines (one dump) at most
// every lookEvery, and never more often than lookShare times what a dump
// costs, so that it costs the suite under 1/lookShare of its time however
// many goroutines there are. It asks the runtime for a proof (one garbage
// collection, two when the first proves nothing new: see runtimeread.Reader.ProveSettled)
// once a test goroutine has stayed blocked on a channel or lock for
// blockedFor, then, while the same goroutines stay blocked unproven,
// every blockedFor or every proofShare times what a proof costs,
// whichever is longer: a test that waits a minute on a channel that will
// be written costs a proof every 0.75 s in a small test binary, and under
// 1/proofShare of the time in a large one. Costs come from costModel,
// which a loaded machine's delays do not inflate: a look at 200 times a
// wall-clock time that included the proof's collection and the machine's
// load was seen to come 16 s late. With a look every 0.25 s, a deadlock
// is reported about a second after it forms.
const (
	lookEvery  = 250 * time.Millisecond
	lookShare  = 200
	proofShare = 200
	blockedFor = 750 * time.Millisecond
)

// deadlockWatchSetting returns whether DeadlockEnv asks for the watcher,
// and an error for a value it does not know (the watcher stays on).
func deadlockWatchSetting() (on bool, err error) {
	return switchSetting(DeadlockEnv, "the deadlock watcher")
}

// startDeadlockWatch starts the watcher once per process, where the
// runtime can prove leaks and DeadlockEnv does not turn it off. It is
// called from goroutines outside any testing/synctest bubble: a goroutine
// started inside one would belong to the bubble.
func startDeadlockWatch() {
	if runtimeread.LeakProfile == nil || process.childRerun != nil {
		// Nothing can prove a deadlock, or nothing must: a rerun's heap
		// dump needs a process without proofs.
		return
	}
	process.deadlockWatch.Do(func() {
		if on, _ := deadlockWatchSetting(); !on {
			return
		}
		process.watcher.blocked = make(map[uint64]blockedTest)
		process.watcher.dumpCost.ceiling, process.watcher.proofCost.ceiling = dumpCostCeiling, proofCostCeiling
		time.AfterFunc(lookEvery, lookForDeadlocks)
	})
}

// lookForDeadlocks looks at the test goroutines once, ends the process
// when one is proven blocked for good, and otherwise schedules the next
// look. Each look runs in a goroutine of its own, started by a timer, that
// ends with the look: between looks the watcher has no goroutine, so that
// other leak checkers in the same binary (goleak during a migration, a
// harness's own) never find one.
func lookForDeadlocks() {
	// A timer's goroutine carries no test's labels, but make sure: nothing
	// must take the watcher for a test's goroutine.
	pprof.SetGoroutineLabels(context.Background())
	start := time.Now()
	snap, err := process.reader.SnapshotAfter(start)
	if err != nil {
		// A dump too large to read: the checks report it; the watcher
		// can only stop looking.
		return
	}
	process.watcher.dumpCost.note(time.Since(start), len(snap.Goroutines))
	if d := process.watcher.look(snap, start); d != nil {
		d.fail()
		return
	}
	time.AfterFunc(max(lookEvery, lookShare*process.watcher.dumpCost.estimate(len(snap.Goroutines))), lookForDeadlocks)
}

// A deadlockWatcher remembers, from look to look, which test goroutines
// are blocked and since when.
type deadlockWatcher struct {
	blocked    map[uint64]blockedTest
	lastProof  time.Time
	proofPause time.Duration
	provedFor  uint64 // idSetKey of the goroutines last proof was for
	dumpCost   costModel
	proofCost  costModel
}

// The costs the watcher assumes at most: a dump, per goroutine (1.7 µs
// at 10,000 goroutines on a 2-core machine, 1.9 µs at 100), and a proof's
// collection, per KiB of live heap (collectors mark about a GiB a second
// and a processor).
const (
	dumpCostCeiling  = 2 * time.Microsecond
	proofCostCeiling = time.Microsecond
)

// A costModel estimates what an operation costs, per unit of its size
// (goroutines dumped, KiB of heap collected), by the cheapest of the
// recent ones and at most ceiling: a wall-clock time includes whatever
// else kept the processors busy meanwhile, which on a loaded machine is
// most of it (a dump of ten goroutines was seen to take 80 ms, which
// would have put the next look 16 s away), and the cheapest is the
// closest to what the operation itself costs.
type costModel struct {
	ceiling time.Duration    // per unit
	perUnit [8]time.Duration // the latest costs per unit; zero: none yet
	next    int
}

// note records an operation of size n that took d.
func (c *costModel) note(d time.Duration, n int) {
	c.perUnit[c.next] = max(d/time.Duration(max(n, 1)), 1)
	c.next = (c.next + 1) % len(c.perUnit)
}

// estimate returns what an operation of size n costs.
func (c *costModel) estimate(n int) time.Duration {
	least := c.ceiling
	for _, d := range c.perUnit {
		if d > 0 && d < least {
			least = d
		}
	}
	return least * time.Duration(max(n, 1))
}

// liveHeapKiB returns the heap the last collection found live, in KiB, or
// 0 where the runtime does not say. Only the watcher calls it.
func liveHeapKiB() int {
	metrics.Read(process.watcherHeap[:])
	if process.watcherHeap[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int(process.watcherHeap[0].Value.Uint64() >> 10)
}

// A blockedTest is a test goroutine seen blocked on a channel or lock.
type blockedTest struct {
	since time.Time // the first look that saw it blocked there
	where string    // its state and innermost frame
}

// look updates what w knows from snap, asks the runtime for a proof when
// a test goroutine has been blocked long enough, and returns the deadlock
// it finds, or nil.
func (w *deadlockWatcher) look(snap *runtimeread.Snapshot, now time.Time) *deadlock {
	var ready []*stack.Goroutine // blocked for at least blockedFor
	seen := make(map[uint64]bool)
	for i := range snap.Goroutines {
		g := &snap.Goroutines[i]
		if !isBlockedTest(g) {
			continue
		}
		if g.Proven {
			return newDeadlock(snap, g, now.Sub(w.blockedSince(g, now)))
		}
		seen[g.ID] = true
		if now.Sub(w.blockedSince(g, now)) >= blockedFor {
			ready = append(ready, g)
		}
	}
	for id := range w.blocked {
		if !seen[id] {
			delete(w.blocked, id)
		}
	}
	if len(ready) == 0 {
		return nil
	}
	key := idSetKey(ready)
	if key == w.provedFor && now.Sub(w.lastProof) < w.proofPause {
		return nil
	}
	w.provedFor, w.lastProof = key, now
	// Always settled: the test goroutine may have waited long on
	// something a deadlock that formed since left behind.
	ok, cost := process.reader.ProveSettled(true)
	heap := liveHeapKiB()
	w.proofCost.note(cost, heap)
	w.proofPause = max(blockedFor, proofShare*w.proofCost.estimate(heap))
	if !ok {
		return nil
	}
	after, err := process.reader.SnapshotAfter(time.Now())
	if err != nil {
		return nil
	}
	for i := range after.Goroutines {
		g := &after.Goroutines[i]
		if g.Proven && isBlockedTest(g) {
			return newDeadlock(after, g, now.Sub(w.blockedSince(g, now)))
		}
	}
	return nil
}

// blockedSince returns when w first saw g blocked where it is now.
func (w *deadlockWatcher) blockedSince(g *stack.Goroutine, now time.Time) time.Time {
	where := g.State + " in " + g.TopFunction()
	b, ok := w.blocked[g.ID]
	if !ok || b.where != where {
		b = blockedTest{since: now, where: where}
		w.blocked[g.ID] = b
	}
	return b.since
}

// isBlockedTest reports whether g runs a test and is blocked, in the
// test's own code, on something the runtime's leak detector can judge. A
// test blocked inside package testing is a parent waiting for its
// subtests or a parallel test waiting for its turn: the subtests are
// what may be stuck.
func isBlockedTest(g *stack.Goroutine) bool {
	if g.EntryFunction() != "testing.tRunner" || !stack.Provable(g.State) {
		return false
	}
	for _, f := range g.Frames {
		if isRuntimeOrSync(f.Function) {
			continue
		}
		return !strings.HasPrefix(f.Function, "testing.")
	}
	return false
}

// isRuntimeOrSync reports whether fn belongs to the packages that
// implement blocking: the frames above the code that blocked.
func isRuntimeOrSync(fn string) bool {
	for _, p := range []string{"runtime.", "sync.", "internal/", "sync/atomic."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// A deadlock is a test goroutine proven blocked forever, with the
// test's other goroutines.
type deadlock struct {
	test string // the test's name, "" if unknown
	// subtest reports that the goroutine runs an unnamed subtest of test:
	// one that did not call Verify, whose name no dump shows.
	subtest bool
	t       testing.TB // the test's t when it called Verify, else nil
	elapsed time.Duration
	v       verdict // the test goroutine first, then the test's others
}

// newDeadlock gathers what the report of g's deadlock says: the test's
// name and goroutines, the test goroutine first.
func newDeadlock(snap *runtimeread.Snapshot, g *stack.Goroutine, blocked time.Duration) *deadlock {
	r := owner.NewResolver(snap, scopeName)
	d := &deadlock{elapsed: blocked, v: verdict{snap: snap, waited: blocked, leaks: []*stack.Goroutine{g}}}
	s := scopeByID(owner.ScopeOf(g))
	if s != nil && s.goid == g.ID {
		d.test, d.t = s.name, s.t
		d.elapsed = time.Since(s.started)
	} else {
		d.test = r.TestName(g)
		parent := r.Goroutine(g.ParentID)
		d.subtest = parent != nil && parent.EntryFunction() == "testing.tRunner"
	}
	for i := range snap.Goroutines {
		o := &snap.Goroutines[i]
		if o.ID == g.ID || owner.IgnoredByDefault(o) {
			continue
		}
		if own := r.Owner(o); own.Test == g.ID || s != nil && own.Scope == s.id {
			d.v.leaks = append(d.v.leaks, o)
		}
	}
	return d
}

// fail reports the deadlock the way the testing package reports a
// failed test, on standard output, and ends the process with status 1,
// as -timeout would, but long before it.
func (d *deadlock) fail() {
	var b strings.Builder
	g := d.v.leaks[0]
	who := d.test
	switch {
	case who == "":
		who = fmt.Sprintf("the test in goroutine %d", g.ID)
	case d.subtest:
		who = fmt.Sprintf("a subtest of %s (goroutine %d; Verify in the subtest would name it)", d.test, g.ID)
	}
	fmt.Fprintf(&b, "leakcheck: %s deadlocked: its goroutine is blocked forever in state %q, proven by the runtime;"+
		" ending the test binary now instead of at -timeout\n", who, g.State)
	groups := report.GroupByKind(d.v.leaks[1:])
	groups = append(report.GroupByKind(d.v.leaks[:1]), groups...) // the test goroutine first
	r := owner.NewResolver(d.v.snap, scopeName)
	report.WriteGroups(&b, groups,
		func(gr *report.Group) string { return report.ProofStatus(gr, d.v.waited) },
		r.TestName)
	mem, pub := d.measure()
	b.WriteString(mem)
	b.WriteString("\nFix: find what the test waits for in the stack above: a lock taken twice or in opposite orders," +
		" a channel nobody will send to or close, a WaitGroup whose count never reaches zero, a Cond never signalled.\n")

	out := b.String() + pub.Text

	// Framing lines as the testing package writes them; under go test
	// -json, it marks them with ^V for test2json.
	frame := ""
	if f := flag.Lookup("test.v"); f != nil && f.Value.String() == "test2json" {
		frame = "\x16"
	}
	var w strings.Builder
	if d.test != "" {
		fmt.Fprintf(&w, "%s=== NAME  %s\n", frame, d.test)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		w.WriteString("    " + line + "\n")
	}
	// The test and every test it runs in fail.
	for name := d.test; name != ""; {
		fmt.Fprintf(&w, "%s--- FAIL: %s (%.2fs)\n", frame, name, d.elapsed.Seconds())
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	fmt.Fprintf(&w, "%sFAIL\n", frame)
	os.Stdout.WriteString(w.String())
	os.Exit(1)
}

// measure measures what the deadlocked goroutines hold, in a rerun of the
// test, as the process has proven them leaked: the rerun publishes the
// figures after this process has ended, as go test reads its output until
// the rerun is done. It writes the machine-readable outputs and returns
// the report's lines about the memory.
func (d *deadlock) measure() (string, publish.Publication) {
	var again *rerun
	if _, ok := d.t.(*testing.T); ok && d.test != "" && !isRerun() && !fuzzing() {
		again = &rerun{test: d.test, took: d.elapsed, deadlock: true}
	}
	mem, pub := measureAndPublish(d.t, NewConfig(TestMainOptions(), nil), d.test, d.v, again)
	if again == nil && mem.skipped != "" && mem.skipped != MemoryEnv+" is off" {
		return "\nMemory held by the leaked goroutines: not measured: " + provenReason +
			"; a rerun in a new process could measure it, but only of a test that calls leakcheck.Verify, and this one does not.\n", pub
	}
	return mem.note(), pub
}
