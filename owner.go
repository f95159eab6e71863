package leakcheck

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
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
}

// scopes remembers every scope of the process, so that any report can
// name the test that started a goroutine, even after that test ended.
var scopes struct {
	sync.Mutex
	next uint64
	byID map[uint64]*scope
}

func newScope(name string, goid uint64) *scope {
	scopes.Lock()
	defer scopes.Unlock()
	if scopes.byID == nil {
		scopes.byID = make(map[uint64]*scope)
	}
	scopes.next++
	s := &scope{id: scopes.next, name: name, goid: goid}
	scopes.byID[s.id] = s
	return s
}

func scopeByID(id uint64) *scope {
	scopes.Lock()
	defer scopes.Unlock()
	return scopes.byID[id]
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

// An owner is what the ownership rules found for a goroutine.
type owner struct {
	scope uint64 // the Verify scope whose label the goroutine carries or inherits
	test  uint64 // else the unlabelled test goroutine its creator chain leads to
	root  uint64 // else the alive goroutine where its creator chain ends
	// else the chain broke: the creator exited and left no label.
}

// A resolver walks creator links ("created by ... in goroutine N") among
// the goroutines of one snapshot.
type resolver struct {
	snap *snapshot
	byID map[uint64]*Goroutine
	memo map[uint64]owner
}

func newResolver(s *snapshot) *resolver {
	return &resolver{snap: s}
}

func (r *resolver) goroutine(id uint64) *Goroutine {
	r.index()
	return r.byID[id]
}

// index builds the ID lookup on first use: checks that never follow a
// creator link never pay for it.
func (r *resolver) index() {
	if r.byID != nil {
		return
	}
	r.byID = make(map[uint64]*Goroutine, len(r.snap.goroutines))
	r.memo = make(map[uint64]owner)
	for i := range r.snap.goroutines {
		g := &r.snap.goroutines[i]
		r.byID[g.ID] = g
	}
}

// owner follows g's creator chain to the first goroutine that carries a
// scope label or is a test goroutine. Labels come first: they survive the
// exit of intermediate goroutines, which creator links do not.
func (r *resolver) owner(g *Goroutine) owner {
	if id := scopeOf(g); id != 0 {
		return owner{scope: id}
	}
	if isTestingGoroutine(g) {
		return owner{test: g.ID}
	}
	r.index()
	if o, ok := r.memo[g.ID]; ok {
		return o
	}
	var o owner
	parent := r.byID[g.ParentID]
	switch {
	case g.ParentID == 0 || g.ParentID == g.ID:
		o = owner{root: g.ID}
	case parent == nil:
		// Broken chain.
	default:
		r.memo[g.ID] = owner{root: g.ID} // guards against cycles in garbled input
		o = r.owner(parent)
	}
	r.memo[g.ID] = o
	return o
}

// testName returns the name of the test that owns g as far as it can be
// known: the scope's test, the test function running in the test
// goroutine its chain leads to, or the Test function that created it.
func (r *resolver) testName(g *Goroutine) string {
	o := r.owner(g)
	if o.scope != 0 {
		if s := scopeByID(o.scope); s != nil {
			return s.name
		}
	}
	if o.test != 0 {
		if t := r.goroutine(o.test); t != nil {
			for _, f := range t.Frames {
				if name := testFunctionName(f.Function); name != "" {
					return name
				}
			}
		}
	}
	for cur, depth := g, 0; cur != nil && depth < 64; depth++ {
		if name := testFunctionName(cur.CreatedBy.Function); name != "" {
			return name
		}
		cur = r.goroutine(cur.ParentID)
	}
	return ""
}

// testFunctionName extracts "TestX" from a function name such as
// "example.com/pkg.TestX.func1.2", or returns "" if it is not inside a
// test, benchmark, fuzz or example function.
func testFunctionName(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	_, fn, ok := strings.Cut(fn, ".")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(fn, ".")
	for _, prefix := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if strings.HasPrefix(name, prefix) {
			rest := name[len(prefix):]
			if rest == "" || !('a' <= rest[0] && rest[0] <= 'z') {
				return name
			}
		}
	}
	return ""
}

// sortedIDs returns the IDs of a snapshot's goroutines in order, for
// binary search. It sorts once per snapshot; callers must not modify the
// result.
func (s *snapshot) sortedIDs() []uint64 {
	s.idsOnce.Do(func() {
		s.ids = make([]uint64, len(s.goroutines))
		for i := range s.goroutines {
			s.ids[i] = s.goroutines[i].ID
		}
		slices.Sort(s.ids)
	})
	return s.ids
}

func containsID(sorted []uint64, id uint64) bool {
	_, found := slices.BinarySearch(sorted, id)
	return found
}

// latest remembers the goroutines known to exist at one moment: those of
// the most recent snapshot, plus the test goroutines that Verify has seen
// start since. A test that starts while the runtime's creation count
// shows that no goroutine but its own started since then takes them as
// its "before" set, which saves a dump per test. IDs of goroutines that
// exited since do no harm: the runtime never reuses an ID.
var latest struct {
	sync.Mutex
	snap    *snapshot
	ids     []uint64 // sorted; nil for snap's own IDs
	created uint64   // the creation count that ids account for; 0 if unknown
}

// maxAdded bounds the test goroutines added to the latest snapshot's IDs
// before Verify takes a new dump: long runs of tests that start no
// goroutine would otherwise grow the list without end.
const maxAdded = 256

func remember(s *snapshot) {
	latest.Lock()
	latest.snap, latest.ids, latest.created = s, nil, s.created
	latest.Unlock()
}

// goroutinesBefore returns the sorted IDs of all goroutines alive now,
// from what latest knows when that is still exact, else from a new
// snapshot, and the count of goroutines created so far, read first. It
// also reports whether the goroutine self has started goroutines that are
// still alive: then Verify was called late (deferred, say), and
// goroutines in the "before" set may still be the test's own.
func goroutinesBefore(self uint64) (ids []uint64, created uint64, late bool, err error) {
	_, created = liveCounts()
	latest.Lock()
	snap, ids, known := latest.snap, latest.ids, latest.created
	latest.Unlock()
	if snap != nil && known != 0 && created != 0 {
		if ids == nil {
			ids = snap.sortedIDs()
		}
		switch {
		case created == known && containsID(snap.sortedIDs(), self):
			return ids, created, snap.hasChildOf(self), nil
		case created == known+1 && !containsID(ids, self) && len(ids) < len(snap.goroutines)+maxAdded:
			// Self is newer than what latest knows, and nothing else
			// started since. Insert into a copy: ids may be shared.
			i, _ := slices.BinarySearch(ids, self)
			ids = slices.Insert(slices.Clip(ids), i, self)
			latest.Lock()
			if latest.snap == snap && latest.created == known {
				latest.ids, latest.created = ids, created
			}
			latest.Unlock()
			return ids, created, false, nil
		}
	}
	s, err := snapshotAfter(time.Now())
	if err != nil {
		return nil, created, false, err
	}
	remember(s)
	return s.sortedIDs(), created, s.hasChildOf(self), nil
}

// hasChildOf reports whether a goroutine in s was started by parent.
func (s *snapshot) hasChildOf(parent uint64) bool {
	for i := range s.goroutines {
		if s.goroutines[i].ParentID == parent {
			return true
		}
	}
	return false
}
