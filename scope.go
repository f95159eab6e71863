package leakcheck

import (
	"context"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// labelKey is the pprof label that marks every goroutine started, at any
// depth, by a test that called Verify. Its value is the scope ID.
const labelKey = "leakcheck"

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
var scopes struct {
	sync.Mutex
	next uint64
	byID map[uint64]*scope
	// byGoroutine holds each test goroutine's newest scope, for the
	// labels of goroutines it started (labels.go).
	byGoroutine map[uint64]uint64
}

func newScope(name string, goid uint64) *scope {
	scopes.Lock()
	defer scopes.Unlock()
	if scopes.byID == nil {
		scopes.byID = make(map[uint64]*scope)
		scopes.byGoroutine = make(map[uint64]uint64)
	}
	scopes.next++
	s := &scope{id: scopes.next, name: name, goid: goid}
	scopes.byID[s.id] = s
	scopes.byGoroutine[goid] = s.id
	return s
}

func scopeByID(id uint64) *scope {
	scopes.Lock()
	defer scopes.Unlock()
	return scopes.byID[id]
}

// testScopeLabels returns the labels a goroutine started by the test
// goroutine goid has: those its newest scope gave it, the test's
// goroutines being started between Verify and the check. It reports
// false if goid is no test goroutine.
func testScopeLabels(goid uint64) (map[string]string, bool) {
	scopes.Lock()
	defer scopes.Unlock()
	id, ok := scopes.byGoroutine[goid]
	if !ok {
		return nil, false
	}
	return scopeLabels(scopes.byID[id].labels, strconv.FormatUint(id, 10)), true
}

// scopeOfTestGoroutine returns the ID of the newest scope whose test
// goroutine is goid, or "" if it has none.
func scopeOfTestGoroutine(goid uint64) string {
	scopes.Lock()
	defer scopes.Unlock()
	id, ok := scopes.byGoroutine[goid]
	if !ok {
		return ""
	}
	return strconv.FormatUint(id, 10)
}

// scopeOf returns the scope ID in g's labels, or 0.
func scopeOf(g *Goroutine) uint64 {
	v, ok := g.Labels[labelKey]
	if !ok {
		return 0
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	return id
}

// testReturned reports whether t's test function has returned, as far as
// the toolchain can tell: from go1.24 [testing.T.Context] is cancelled
// then; before, it reports false.
func testReturned(t testing.TB) bool {
	c, ok := t.(interface{ Context() context.Context })
	return ok && c.Context().Err() != nil
}

// pendingChecks holds each test whose check is registered and has not
// run yet: startScope adds it, the check's cleanup removes it, and a
// second Verify for the same test, finding it there, does nothing.
var pendingChecks sync.Map // testing.TB -> true

// startScope claims the goroutines t starts from now on and registers the
// check that runs when t ends.
func startScope(t testing.TB, cfg *config) {
	t.Helper()
	if testReturned(t) {
		// The test function has returned: in a cleanup nothing is left to
		// attribute, and after the test its cleanups never run again, so
		// a scope would only mislabel the calling goroutine. Using a
		// finished t makes the testing package panic, after this message.
		t.Errorf("leakcheck: Verify called for %s after the test function returned; call Verify as the first line of the test", t.Name())
		return
	}
	if _, loaded := pendingChecks.LoadOrStore(t, true); loaded {
		return
	}
	self := selfStack()
	if stack.Bubble(&self) == 0 {
		startDeadlockWatch()
	}
	s := newScope(t.Name(), self.ID)
	s.function, _, _ = strings.Cut(t.Name(), "/")
	s.t, s.started = t, time.Now()
	if !isTestingGoroutine(&self) {
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
	if childRerun != nil {
		childRerun.watchScope(t, s, cfg) // a rerun of a deadlocked test
	}
	setLabels(s.goid, s.labels, strconv.FormatUint(s.id, 10))
	t.Cleanup(func() {
		t.Helper()
		defer pendingChecks.Delete(t)
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
	noteLabels(goid, labels)
}

// scopeLabels returns base with, unless scopeID is empty, the scope
// label; nil for no labels.
func scopeLabels(base map[string]string, scopeID string) map[string]string {
	var labels map[string]string
	for k, v := range base {
		if k != labelKey || scopeID == "" {
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
		labels[labelKey] = scopeID
	}
	return labels
}

// check waits for the scope's goroutines and fails t with a report if
// any remain.
func (s *scope) check(t testing.TB, cfg *config) {
	t.Helper()
	if childRerun != nil {
		childRerun.checkScope(t, s, cfg)
		return
	}
	if s.startedNothing() {
		return
	}
	v, err := waitForLeaks(cfg, func(snap *snapshot) ([]*Goroutine, []*Goroutine) {
		return s.classify(cfg, snap)
	})
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	note := cfg.baseline.settle(t.Name(), &v)
	switch {
	case len(v.leaks) > 0:
		t.Errorf("%s%s", failureReport(t, cfg, t.Name(), v, "", rerunOfTest(t, s.started, v)), note)
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
	_, created := liveCounts()
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
func (s *scope) classify(cfg *config, snap *snapshot) (leaks, unknown []*Goroutine) {
	r := newResolver(snap)
	othersRunning := -1 // not counted yet
	var found []ownerOf
	defer func() { ownersFound.note(found) }()
	for i := range snap.goroutines {
		g := &snap.goroutines[i]
		if g.ID == s.goid || cfg.ignored(g) {
			continue
		}
		if id := scopeOf(g); id != 0 {
			if id == s.id {
				leaks = append(leaks, g)
			}
			continue
		}
		existed := containsID(s.before, g.ID)
		if existed && !s.late {
			continue // alive before the test started anything
		}
		o := r.owner(g)
		if o == (owner{}) {
			o = ownersFound.recall(g.ID)
		} else if o.scope != 0 || o.test != 0 {
			found = append(found, ownerOf{g.ID, o})
		}
		switch {
		case o.scope == s.id || o.test == s.goid:
			leaks = append(leaks, g)
		case o != owner{}:
			// Another test's, or the program's.
		case existed:
			if testFunctionName(g.CreatedBy.Function) == s.function {
				unknown = append(unknown, g)
			}
		default:
			if name := r.testName(g); name != "" {
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
func (s *scope) countOtherTests(r *resolver) int {
	ancestors := map[uint64]bool{s.goid: true}
	for g := r.goroutine(s.goid); g != nil && !ancestors[g.ParentID]; g = r.goroutine(g.ParentID) {
		ancestors[g.ParentID] = true
	}
	n := 0
	for i := range r.snap.goroutines {
		g := &r.snap.goroutines[i]
		if g.EntryFunction() == "testing.tRunner" && !ancestors[g.ID] {
			n++
		}
	}
	return n
}

// ownersFound remembers the owner of goroutines whose ownership a check
// found through creator links, which break when creators exit: classify
// notes them and recalls them for goroutines whose chain has broken
// since. Goroutine IDs are never reused, so entries stay true; there is
// one per such goroutine, a few bytes each.
var ownersFound = ownerMemory{m: make(map[uint64]owner)}

type ownerMemory struct {
	sync.Mutex
	m map[uint64]owner
}

type ownerOf struct {
	id    uint64
	owner owner
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

func (om *ownerMemory) recall(id uint64) owner {
	om.Lock()
	defer om.Unlock()
	return om.m[id]
}
