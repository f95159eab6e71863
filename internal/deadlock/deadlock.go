// Package deadlock is the deadlock watcher: where the runtime can prove
// leaks, a test goroutine proven blocked forever ends the test binary
// with a report, long before -timeout would. It asks the checks of the
// process (Checks) for the Verify scopes and for measuring what the
// deadlocked goroutines hold.
package deadlock

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
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

// Setting returns whether DeadlockEnv asks for the watcher, and an error
// for a value it does not know (the watcher stays on).
func Setting() (on bool, err error) {
	return runtimeread.Switch(DeadlockEnv, "the deadlock watcher")
}

// DeadlockEnv is the package leakcheck's variable of the same name.
const DeadlockEnv = "LEAKCHECK_DEADLOCK"

// Checks is what the watcher asks of the checks of the process.
type Checks interface {
	// InRerun reports that the process is a rerun measuring memory,
	// where nothing must prove leaks.
	InRerun() bool
	// TestScope returns the Verify scope whose label a test goroutine
	// goid carries (scope is the ID in its label), and false if that
	// scope is not the test goroutine's own.
	TestScope(scope, goid uint64) (Scope, bool)
	// ScopeName names the test of a Verify scope, "" when unknown.
	ScopeName(id uint64) string
	// Measure measures and publishes what the deadlocked goroutines hold,
	// and returns the report's lines about the memory and the text of
	// what it published.
	Measure(d *Deadlock) (memory, published string)
}

// A Scope is what the watcher knows of a test that called Verify.
type Scope struct {
	ID      uint64
	Test    string     // its name
	T       testing.TB // its t
	Started time.Time  // when Verify was called
}

// Start starts the watcher once per process, reading the runtime with
// reader and asking checks, where the
// runtime can prove leaks and DeadlockEnv does not turn it off. It is
// called from goroutines outside any testing/synctest bubble: a goroutine
// started inside one would belong to the bubble.
func (w *Watcher) Start(reader *runtimeread.Reader, checks Checks) {
	if runtimeread.LeakProfile == nil || checks.InRerun() {
		// Nothing can prove a deadlock, or nothing must: a rerun's heap
		// dump needs a process without proofs.
		return
	}
	w.once.Do(func() {
		if on, _ := Setting(); !on {
			return
		}
		w.reader, w.checks = reader, checks
		w.heap[0].Name = "/gc/heap/live:bytes"
		w.blocked = make(map[uint64]blockedTest)
		w.dumpCost.ceiling, w.proofCost.ceiling = dumpCostCeiling, proofCostCeiling
		time.AfterFunc(lookEvery, w.lookForDeadlocks)
	})
}

// lookForDeadlocks looks at the test goroutines once, ends the process
// when one is proven blocked for good, and otherwise schedules the next
// look. Each look runs in a goroutine of its own, started by a timer, that
// ends with the look: between looks the watcher has no goroutine, so that
// other leak checkers in the same binary (goleak during a migration, a
// harness's own) never find one.
func (w *Watcher) lookForDeadlocks() {
	// A timer's goroutine carries no test's labels, but make sure: nothing
	// must take the watcher for a test's goroutine.
	pprof.SetGoroutineLabels(context.Background())
	start := time.Now()
	snap, err := w.reader.SnapshotAfter(start)
	if err != nil {
		// A dump too large to read: the checks report it; the watcher
		// can only stop looking.
		return
	}
	w.dumpCost.note(time.Since(start), len(snap.Goroutines))
	if d := w.look(snap, start); d != nil {
		d.fail()
		return
	}
	time.AfterFunc(max(lookEvery, lookShare*w.dumpCost.estimate(len(snap.Goroutines))), w.lookForDeadlocks)
}

// A Watcher watches the test goroutines of a process for deadlocks, and
// remembers, from look to look, which are blocked and since when. The
// process has one; only its looks, one at a time, use it once started.
// The zero Watcher is ready to Start.
type Watcher struct {
	once   sync.Once // starts the watcher once per process
	reader *runtimeread.Reader
	checks Checks
	heap   [1]metrics.Sample // the sample liveHeapKiB reads

	blocked    map[uint64]blockedTest
	lastProof  time.Time
	proofPause time.Duration
	provedFor  uint64 // IDSetKey of the goroutines last proof was for
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
func (w *Watcher) liveHeapKiB() int {
	metrics.Read(w.heap[:])
	if w.heap[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int(w.heap[0].Value.Uint64() >> 10)
}

// A blockedTest is a test goroutine seen blocked on a channel or lock.
type blockedTest struct {
	since time.Time // the first look that saw it blocked there
	where string    // its state and innermost frame
}

// look updates what w knows from snap, asks the runtime for a proof when
// a test goroutine has been blocked long enough, and returns the deadlock
// it finds, or nil.
func (w *Watcher) look(snap *runtimeread.Snapshot, now time.Time) *Deadlock {
	var ready []*stack.Goroutine // blocked for at least blockedFor
	seen := make(map[uint64]bool)
	for i := range snap.Goroutines {
		g := &snap.Goroutines[i]
		if !isBlockedTest(g) {
			continue
		}
		if g.Proven {
			return w.newDeadlock(snap, g, now.Sub(w.blockedSince(g, now)))
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
	key := stack.IDSetKey(ready)
	if key == w.provedFor && now.Sub(w.lastProof) < w.proofPause {
		return nil
	}
	w.provedFor, w.lastProof = key, now
	// Always settled: the test goroutine may have waited long on
	// something a deadlock that formed since left behind.
	ok, cost := w.reader.ProveSettled(true)
	heap := w.liveHeapKiB()
	w.proofCost.note(cost, heap)
	w.proofPause = max(blockedFor, proofShare*w.proofCost.estimate(heap))
	if !ok {
		return nil
	}
	after, err := w.reader.SnapshotAfter(time.Now())
	if err != nil {
		return nil
	}
	for i := range after.Goroutines {
		g := &after.Goroutines[i]
		if g.Proven && isBlockedTest(g) {
			return w.newDeadlock(after, g, now.Sub(w.blockedSince(g, now)))
		}
	}
	return nil
}

// blockedSince returns when w first saw g blocked where it is now.
func (w *Watcher) blockedSince(g *stack.Goroutine, now time.Time) time.Time {
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
type Deadlock struct {
	Test string // the test's name, "" if unknown
	// subtest reports that the goroutine runs an unnamed subtest of test:
	// one that did not call Verify, whose name no dump shows.
	subtest bool
	T       testing.TB // the test's t when it called Verify, else nil
	Elapsed time.Duration
	// Leaks are the test goroutine first, then the test's others, in
	// Snap, blocked for Waited.
	Leaks  []*stack.Goroutine
	Snap   *runtimeread.Snapshot
	Waited time.Duration
	checks Checks
}

// newDeadlock gathers what the report of g's deadlock says: the test's
// name and goroutines, the test goroutine first.
func (w *Watcher) newDeadlock(snap *runtimeread.Snapshot, g *stack.Goroutine, blocked time.Duration) *Deadlock {
	r := owner.NewResolver(snap, w.checks.ScopeName)
	d := &Deadlock{Elapsed: blocked, Snap: snap, Waited: blocked, Leaks: []*stack.Goroutine{g}, checks: w.checks}
	s, own := w.checks.TestScope(owner.ScopeOf(g), g.ID)
	if own {
		d.Test, d.T = s.Test, s.T
		d.Elapsed = time.Since(s.Started)
	} else {
		d.Test = r.TestName(g)
		parent := r.Goroutine(g.ParentID)
		d.subtest = parent != nil && parent.EntryFunction() == "testing.tRunner"
	}
	for i := range snap.Goroutines {
		o := &snap.Goroutines[i]
		if o.ID == g.ID || owner.IgnoredByDefault(o) {
			continue
		}
		if o2 := r.Owner(o); o2.Test == g.ID || own && o2.Scope == s.ID {
			d.Leaks = append(d.Leaks, o)
		}
	}
	return d
}

// fail reports the deadlock the way the testing package reports a
// failed test, on standard output, and ends the process with status 1,
// as -timeout would, but long before it.
func (d *Deadlock) fail() {
	var b strings.Builder
	g := d.Leaks[0]
	who := d.Test
	switch {
	case who == "":
		who = fmt.Sprintf("the test in goroutine %d", g.ID)
	case d.subtest:
		who = fmt.Sprintf("a subtest of %s (goroutine %d; Verify in the subtest would name it)", d.Test, g.ID)
	}
	fmt.Fprintf(&b, "leakcheck: %s deadlocked: its goroutine is blocked forever in state %q, proven by the runtime;"+
		" ending the test binary now instead of at -timeout\n", who, g.State)
	groups := report.GroupByKind(d.Leaks[1:])
	groups = append(report.GroupByKind(d.Leaks[:1]), groups...) // the test goroutine first
	r := owner.NewResolver(d.Snap, d.checks.ScopeName)
	report.WriteGroups(&b, groups,
		func(gr *report.Group) string { return report.ProofStatus(gr, d.Waited) },
		r.TestName)
	mem, pub := d.checks.Measure(d)
	b.WriteString(mem)
	b.WriteString("\nFix: find what the test waits for in the stack above: a lock taken twice or in opposite orders," +
		" a channel nobody will send to or close, a WaitGroup whose count never reaches zero, a Cond never signalled.\n")

	out := b.String() + pub

	// Framing lines as the testing package writes them; under go test
	// -json, it marks them with ^V for test2json.
	frame := ""
	if f := flag.Lookup("test.v"); f != nil && f.Value.String() == "test2json" {
		frame = "\x16"
	}
	var w strings.Builder
	if d.Test != "" {
		fmt.Fprintf(&w, "%s=== NAME  %s\n", frame, d.Test)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		w.WriteString("    " + line + "\n")
	}
	// The test and every test it runs in fail.
	for name := d.Test; name != ""; {
		fmt.Fprintf(&w, "%s--- FAIL: %s (%.2fs)\n", frame, name, d.Elapsed.Seconds())
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
