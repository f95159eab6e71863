// Package owner decides whom a goroutine belongs to: the Verify scope whose
// label it carries, the test its chain of creators leads to, or nobody
// known; and which goroutines no check ever reports.
package owner

import (
	"fmt"
	"strings"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// An Owner is what the ownership rules found for a goroutine.
type Owner struct {
	Scope uint64 // the Verify scope whose label the goroutine carries or inherits
	Test  uint64 // else the unlabelled test goroutine its creator chain leads to
	Root  uint64 // else the alive goroutine where its creator chain ends
	// else the chain broke: the creator exited and left no label.
}

// A Resolver walks creator links ("created by ... in goroutine N") among
// the goroutines of one snapshot.
type Resolver struct {
	Snap *runtimeread.Snapshot
	byID map[uint64]*stack.Goroutine
	memo map[uint64]Owner

	scopeName func(id uint64) string
}

// NewResolver returns a resolver for the goroutines of s; scopeName names
// the test of a Verify scope, "" for one it does not know.
func NewResolver(s *runtimeread.Snapshot, scopeName func(id uint64) string) *Resolver {
	return &Resolver{Snap: s, scopeName: scopeName}
}

func (r *Resolver) Goroutine(id uint64) *stack.Goroutine {
	r.index()
	return r.byID[id]
}

// index builds the ID lookup on first use: checks that never follow a
// creator link never pay for it.
func (r *Resolver) index() {
	if r.byID != nil {
		return
	}
	r.byID = make(map[uint64]*stack.Goroutine, len(r.Snap.Goroutines))
	r.memo = make(map[uint64]Owner)
	for i := range r.Snap.Goroutines {
		g := &r.Snap.Goroutines[i]
		r.byID[g.ID] = g
	}
}

// Owner follows g's creator chain to the first goroutine that carries a
// scope label or is a test goroutine. Labels come first: they survive the
// exit of intermediate goroutines, which creator links do not.
func (r *Resolver) Owner(g *stack.Goroutine) Owner {
	if id := ScopeOf(g); id != 0 {
		return Owner{Scope: id}
	}
	if IsTestingGoroutine(g) {
		return Owner{Test: g.ID}
	}
	r.index()
	if o, ok := r.memo[g.ID]; ok {
		return o
	}
	var o Owner
	parent := r.byID[g.ParentID]
	switch {
	case g.ParentID == 0 || g.ParentID == g.ID:
		o = Owner{Root: g.ID}
	case parent == nil:
		// Broken chain.
	default:
		r.memo[g.ID] = Owner{Root: g.ID} // guards against cycles in garbled input
		o = r.Owner(parent)
	}
	r.memo[g.ID] = o
	return o
}

// TestName returns the name of the test that owns g as far as it can be
// known: the scope's test, the test function running in the test
// goroutine its chain leads to, the testing package's test.name label,
// the Test function that created it or one
// of its creators, the test function on a creator's stack when it started
// its child (GODEBUG=tracebackancestors=N), or the test function whose
// code g runs.
func (r *Resolver) TestName(g *stack.Goroutine) string {
	o := r.Owner(g)
	if o.Scope != 0 {
		if name := r.nameOfScope(o.Scope); name != "" {
			return name
		}
	}
	if name := g.Labels[testNameLabel]; name != "" {
		return name
	}
	if o.Test != 0 {
		if t := r.Goroutine(o.Test); t != nil {
			for _, f := range t.Frames {
				if name := TestFunctionName(f.Function); name != "" {
					return name
				}
			}
		}
	}
	for cur, depth := g, 0; cur != nil && depth < 64; depth++ {
		if name := TestFunctionName(cur.CreatedBy.Function); name != "" {
			return name
		}
		cur = r.Goroutine(cur.ParentID)
	}
	// The creators' stacks when each started its child, under
	// GODEBUG=tracebackancestors=N: they reach back past creators that
	// have exited.
	for _, fn := range stack.AncestorFunctions(g) {
		if name := TestFunctionName(fn); name != "" {
			return name
		}
	}
	// Code defined in a test function: a closure run by time.AfterFunc,
	// or by a goroutine that a helper goroutine started.
	for _, f := range g.Frames {
		if name := TestFunctionName(f.Function); name != "" {
			return name
		}
	}
	return ""
}

// nameOfScope names the test of a Verify scope, "" when unknown.
func (r *Resolver) nameOfScope(id uint64) string {
	if r.scopeName == nil {
		return ""
	}
	return r.scopeName(id)
}

// testNameLabel is the pprof label with which the testing package may
// mark every test goroutine, and so every goroutine a test starts, with
// the test's full name (Go proposal 75047); go1.27 does not yet.
const testNameLabel = "test.name"

// TestLabel names the test that owns g for the report: its name, and,
// when the evidence shows that a subtest started g, the function that
// subtest runs (no dump shows a subtest's name; Verify in the subtest
// names it).
func (r *Resolver) TestLabel(g *stack.Goroutine) string {
	name := r.TestName(g)
	if name == "" {
		return ""
	}
	if fn := r.subtestFunction(g); fn != "" {
		// "example.com/pkg.TestX.func2" reads "TestX.func2".
		_, short, _ := strings.Cut(fn[strings.LastIndexByte(fn, '/')+1:], ".")
		return fmt.Sprintf("%s, in its subtest running %s", name, short)
	}
	return name
}

// subtestFunction returns the function of the subtest that started g, or
// "": the test function literal that a testing.tRunner frame runs, on
// the stack of the live goroutine that created g, or on a creator's
// recorded stack (GODEBUG=tracebackancestors=N).
func (r *Resolver) subtestFunction(g *stack.Goroutine) string {
	var fns []string
	if p := r.Goroutine(g.ParentID); p != nil {
		for _, f := range p.Frames {
			fns = append(fns, f.Function)
		}
	}
	fns = append(fns, stack.AncestorFunctions(g)...)
	for i := 0; i+1 < len(fns); i++ {
		if fns[i+1] == "testing.tRunner" && TestFunctionName(fns[i]) != "" && strings.Contains(fns[i], ".func") {
			return fns[i]
		}
	}
	return ""
}

// TestFunctionName extracts "TestX" from a function name such as
// "example.com/pkg.TestX.func1.2", or returns "" if it is not inside a
// test, benchmark, fuzz or example function.
func TestFunctionName(fn string) string {
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
