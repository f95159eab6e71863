package check

import (
	"context"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A scope is one test's claim on the goroutines it starts.
type scope struct {
	id   uint64
	name string // the test's name
	// function is the top-level test function's name, e.g. "TestX"
	// for the subtest "TestX/sub".
	function string
	goid     uint64 // the test goroutine
	before   []uint64
	// late reports that the test goroutine had started goroutines before
	// Verify: only then can a goroutine in before be the test's.
	late   bool
	labels map[string]string // the test goroutine's labels before Verify
	// created is the runtime's count of goroutines created, read by
	// Verify; 0 if unknown.
	created uint64
	t       testing.TB // for the deadlock watcher's report
	started time.Time  // when Verify was called
}

// scopes remembers every scope of the process, so that any report can
// name the test that started a goroutine, even after that test ended:
// newScope adds to it, and the resolver reads it through scopeByID.
type scopeRegistry struct {
	sync.Mutex
	next uint64
	byID map[uint64]*scope
	// byGoroutine holds each test goroutine's newest scope, for the
	// labels of goroutines it started (labels.go).
	byGoroutine map[uint64]uint64
}

func newScope(name string, goid uint64) *scope {
	process.scopes.Lock()
	defer process.scopes.Unlock()
	if process.scopes.byID == nil {
		process.scopes.byID = make(map[uint64]*scope)
		process.scopes.byGoroutine = make(map[uint64]uint64)
	}
	process.scopes.next++
	s := &scope{id: process.scopes.next, name: name, goid: goid}
	process.scopes.byID[s.id] = s
	process.scopes.byGoroutine[goid] = s.id
	return s
}

func scopeByID(id uint64) *scope {
	process.scopes.Lock()
	defer process.scopes.Unlock()
	return process.scopes.byID[id]
}

// scopeName names the test of the scope id, for the resolver; "" for none.
func scopeName(id uint64) string {
	if s := scopeByID(id); s != nil {
		return s.name
	}
	return ""
}

// TestScopeLabels returns the labels a goroutine started by the test
// goroutine goid has: those its newest scope gave it, the test's
// goroutines being started between Verify and the check. It reports
// false if goid is no test goroutine.
func (scopes *scopeRegistry) TestScopeLabels(goid uint64) (map[string]string, bool) {
	scopes.Lock()
	defer scopes.Unlock()
	id, ok := scopes.byGoroutine[goid]
	if !ok {
		return nil, false
	}
	return scopeLabels(scopes.byID[id].labels, strconv.FormatUint(id, 10)), true
}

// ScopeOfTestGoroutine returns the ID of the newest scope whose test
// goroutine is goid, or "" if it has none.
func (scopes *scopeRegistry) ScopeOfTestGoroutine(goid uint64) string {
	scopes.Lock()
	defer scopes.Unlock()
	id, ok := scopes.byGoroutine[goid]
	if !ok {
		return ""
	}
	return strconv.FormatUint(id, 10)
}

// testReturned reports whether t's test function has returned, as far as
// the toolchain can tell: from go1.24 [testing.T.Context] is cancelled
// then; before, it reports false.
func testReturned(t testing.TB) bool {
	c, ok := t.(interface{ Context() context.Context })
	return ok && c.Context().Err() != nil
}

// StartScope claims the goroutines t starts from now on and registers the
// check that runs when t ends.
func StartScope(t testing.TB, cfg *Config) {
	t.Helper()
	if testReturned(t) {
		// The test function has returned: in a cleanup nothing is left to
		// attribute, and after the test its cleanups never run again, so
		// a scope would only mislabel the calling goroutine. Using a
		// finished t makes the testing package panic, after this message.
		t.Errorf("leakcheck: Verify called for %s after the test function returned; call Verify as the first line of the test", t.Name())
		return
	}
	if _, loaded := process.pendingChecks.LoadOrStore(t, true); loaded {
		return
	}
	self := process.reader.SelfStack()
	if stack.Bubble(&self) == 0 {
		startDeadlockWatch()
	}
	s := newScope(t.Name(), self.ID)
	s.function, _, _ = strings.Cut(t.Name(), "/")
	s.t, s.started = t, time.Now()
	if !owner.IsTestingGoroutine(&self) {
		t.Errorf("leakcheck: Verify was called from goroutine %d, which is not the goroutine running %s; "+
			"call it from the test function itself so that the goroutines the test starts can be attributed to it",
			self.ID, t.Name())
	}
	before, created, late, err := goroutinesBefore(self.ID)
	if err != nil {
		t.Errorf("%v", err)
	}
	s.before, s.created, s.late = before, created, late
	s.labels = self.Labels
	if process.measure.InRerun() {
		process.measure.WatchTest(t, scopeFinder(t, s, cfg, true)) // a rerun of a deadlocked test
	}
	setLabels(s.goid, s.labels, strconv.FormatUint(s.id, 10))
	t.Cleanup(func() {
		t.Helper()
		defer process.pendingChecks.Delete(t)
		setLabels(s.goid, s.labels, "")
		s.check(t, cfg)
	})
}

// setLabels replaces the calling goroutine's pprof labels with base plus,
// unless scopeID is empty, the scope label. Goroutines started afterwards
// inherit them. goid is the calling goroutine's ID.
func setLabels(goid uint64, base map[string]string, scopeID string) {
	labels := scopeLabels(base, scopeID)
	kv := make([]string, 0, 2*len(labels))
	for k, v := range labels {
		kv = append(kv, k, v)
	}
	ctx := context.Background()
	if len(kv) > 0 {
		ctx = pprof.WithLabels(ctx, pprof.Labels(kv...))
	}
	pprof.SetGoroutineLabels(ctx)
	process.reader.NoteLabels(goid, labels)
}

// scopeLabels returns base with, unless scopeID is empty, the scope
// label; nil for no labels.
func scopeLabels(base map[string]string, scopeID string) map[string]string {
	var labels map[string]string
	for k, v := range base {
		if k != owner.LabelKey || scopeID == "" {
			if labels == nil {
				labels = make(map[string]string, len(base)+1)
			}
			labels[k] = v
		}
	}
	if scopeID != "" {
		if labels == nil {
			labels = make(map[string]string, 1)
		}
		labels[owner.LabelKey] = scopeID
	}
	return labels
}

// check waits for the scope's goroutines and fails t with a report if
// any remain.
func (s *scope) check(t testing.TB, cfg *Config) {
	t.Helper()
	if process.measure.InRerun() {
		process.measure.CheckTest(t, scopeFinder(t, s, cfg, false))
		return
	}
	if s.startedNothing() {
		return
	}
	v, err := waitForLeaks(cfg, func(snap *runtimeread.Snapshot) ([]*stack.Goroutine, []*stack.Goroutine) {
		return s.classify(cfg, snap)
	})
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	note := v.settle(cfg.Baseline, t.Name())
	switch {
	case len(v.leaks) > 0:
		t.Errorf("%s%s", failureReport(t, cfg, t.Name(), v, "", process.measure.RerunOfTest(t, s.started, v.waited)), note)
	case formatNotes(v) != "" || note != "":
		t.Logf("%s%s", formatNotes(v), note)
	}
}

// startedNothing reports that no goroutine at all was created in the
// process since Verify, so the test started none: it has nothing to wait
// for, and its check needs no dump. A late Verify may follow goroutines
// the test started before it, so it always looks.
func (s *scope) startedNothing() bool {
	if s.late || s.created == 0 {
		return false
	}
	_, created := process.reader.LiveCounts()
	return created == s.created
}

// classify applies the ownership rules. A goroutine is the scope's leak
// when it carries the scope's label, or when its chain of creators leads
// to the scope's test goroutine or to a goroutine labelled for the scope
// (labels replaced by pprof.Do, say). Owners found through creator links
// are remembered, because the links break when creators exit.
//
// A goroutine whose chain broke and which did not exist when the scope
// started is the scope's leak too, unless its creator is another test's
// function, or other tests are running and might own it: then it is only
// noted, as are goroutines that existed at the start, have a broken chain,
// and were created inside this test's function.
func (s *scope) classify(cfg *Config, snap *runtimeread.Snapshot) (leaks, unknown []*stack.Goroutine) {
	r := owner.NewResolver(snap, scopeName)
	othersRunning := -1 // not counted yet
	var found []ownerOf
	defer func() { process.ownersFound.note(found) }()
	for i := range snap.Goroutines {
		g := &snap.Goroutines[i]
		if g.ID == s.goid || cfg.Ignored(g) {
			continue
		}
		if id := owner.ScopeOf(g); id != 0 {
			if id == s.id {
				leaks = append(leaks, g)
			}
			continue
		}
		existed := runtimeread.ContainsID(s.before, g.ID)
		if existed && !s.late {
			continue // alive before the test started anything
		}
		o := r.Owner(g)
		if o == (owner.Owner{}) {
			o = process.ownersFound.recall(g.ID)
		} else if o.Scope != 0 || o.Test != 0 {
			found = append(found, ownerOf{g.ID, o})
		}
		switch {
		case o.Scope == s.id || o.Test == s.goid:
			leaks = append(leaks, g)
		case o != owner.Owner{}:
			// Another test's, or the program's.
		case existed:
			if owner.TestFunctionName(g.CreatedBy.Function) == s.function {
				unknown = append(unknown, g)
			}
		default:
			if name := r.TestName(g); name != "" {
				if top, _, _ := strings.Cut(name, "/"); top != s.function {
					continue // created in another test's function
				}
			}
			if othersRunning < 0 {
				othersRunning = s.countOtherTests(r)
			}
			if othersRunning == 0 {
				leaks = append(leaks, g)
			} else {
				unknown = append(unknown, g)
			}
		}
	}
	return leaks, unknown
}

// countOtherTests counts the test goroutines alive in the snapshot other
// than this scope's test and the tests it runs inside.
func (s *scope) countOtherTests(r *owner.Resolver) int {
	ancestors := map[uint64]bool{s.goid: true}
	for g := r.Goroutine(s.goid); g != nil && !ancestors[g.ParentID]; g = r.Goroutine(g.ParentID) {
		ancestors[g.ParentID] = true
	}
	n := 0
	for i := range r.Snap.Goroutines {
		g := &r.Snap.Goroutines[i]
		if g.EntryFunction() == "testing.tRunner" && !ancestors[g.ID] {
			n++
		}
	}
	return n
}

type ownerMemory struct {
	sync.Mutex
	m map[uint64]owner.Owner
}

type ownerOf struct {
	id    uint64
	owner owner.Owner
}

func (om *ownerMemory) note(found []ownerOf) {
	if len(found) == 0 {
		return
	}
	om.Lock()
	for _, f := range found {
		om.m[f.id] = f.owner
	}
	om.Unlock()
}

func (om *ownerMemory) recall(id uint64) owner.Owner {
	om.Lock()
	defer om.Unlock()
	return om.m[id]
}
