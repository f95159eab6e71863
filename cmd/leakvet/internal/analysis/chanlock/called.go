package chanlock

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

// maxCalls bounds how many calls deep an operation is followed from the
// call made holding a lock: enough for a method reaching the channel
// through a helper and an interface, few enough to stay linear on large
// packages.
const maxCalls = 3

// A heldCall is a call made holding locks.
type heldCall struct {
	call *ssa.Call
	held []lockset.Held
}

// A callGraph finds the sends and receives that the package's functions
// make, alone, in calls made holding a lock: a method that sends holds
// no lock itself, but its caller may.
type callGraph struct {
	// direct holds each function's own sends and receives, alone.
	direct map[*ssa.Function][]*op
	// calls holds the calls made holding locks, by function, and
	// callers those functions in the order they were noted.
	calls   map[*ssa.Function][]heldCall
	callers []*ssa.Function
	// out holds each function's calls of one function of the package.
	out  map[*ssa.Function][]resolvedCall
	memo map[reachKey][]*op
	busy map[*ssa.Function]bool
	fset *token.FileSet
}

// A resolvedCall is a call and the one function of the package it runs.
type resolvedCall struct {
	call   *ssa.Call
	callee *ssa.Function
}

type reachKey struct {
	fn    *ssa.Function
	depth int
}

// resolve records call, in fn, when it runs one function of the package
// (but fn itself): a call that may run one of several (an interface of
// many implementations, a test's fake among them) says what may happen,
// not what does.
func (g *callGraph) resolve(r *callees.Resolver, fn *ssa.Function, call *ssa.Call) {
	if p, ok := callees.Unwrap(call.Common().Value).(*ssa.Parameter); ok && !r.PassedByEveryCall(p) {
		// Operations are followed the same from every caller of fn:
		// a callback one caller leaves nil runs nothing in its calls.
		return
	}
	cs := r.Callees(call.Common())
	if len(cs) == 1 && cs[0].Fn != fn {
		g.out[fn] = append(g.out[fn], resolvedCall{call, cs[0].Fn})
	}
}

// leadingTo returns the functions of with, and those whose calls reach
// one of the direct operations within maxCalls calls: where the locks
// held matter.
func (g *callGraph) leadingTo(with map[*ssa.Function]bool) map[*ssa.Function]bool {
	callers := map[*ssa.Function][]*ssa.Function{}
	for fn, cs := range g.out {
		for _, c := range cs {
			callers[c.callee] = append(callers[c.callee], fn)
		}
	}
	need := map[*ssa.Function]bool{}
	var level []*ssa.Function
	for fn := range with {
		need[fn] = true
	}
	for fn := range g.direct {
		level = append(level, fn)
	}
	for depth := 0; depth < maxCalls && len(level) > 0; depth++ {
		var next []*ssa.Function
		seen := map[*ssa.Function]bool{}
		for _, fn := range level {
			for _, caller := range callers[fn] {
				if !seen[caller] {
					seen[caller] = true
					need[caller] = true
					next = append(next, caller)
				}
			}
		}
		level = next
	}
	return need
}

// note records instr of fn, when a call made holding locks.
func (g *callGraph) note(fn *ssa.Function, instr ssa.Instruction, held []lockset.Held) {
	if call, ok := instr.(*ssa.Call); ok && holdsNamed(held) {
		if g.calls[fn] == nil {
			g.callers = append(g.callers, fn)
		}
		g.calls[fn] = append(g.calls[fn], heldCall{call: call, held: held})
	}
}

// called returns the operations on judged channels made in the
// package's functions that a call holding a lock runs, each with the
// locks its caller holds and the calls leading to it.
func (g *callGraph) called(locks *lockset.Analysis) []*op {
	g.memo, g.busy = map[reachKey][]*op{}, map[*ssa.Function]bool{}
	callee := map[*ssa.Call]*ssa.Function{}
	for _, cs := range g.out {
		for _, c := range cs {
			callee[c.call] = c.callee
		}
	}
	var out []*op
	for _, fn := range g.callers {
		for _, c := range g.calls[fn] {
			to := callee[c.call]
			if to == nil {
				continue
			}
			for _, o := range g.reach(to, maxCalls) {
				if inTestFile(g.fset, o.fn) && !inTestFile(g.fset, fn) {
					// A test's fake, reached from the code under
					// test: its partner is the test, driving it.
					continue
				}
				d := *o
				d.held = c.held
				d.chain = append([]*ssa.Function{fn}, o.chain...)
				out = append(out, &d)
			}
		}
	}
	// A lock that a function on the way releases (an unlock around a
	// slow call) may not be held at the operation.
	released := map[*ssa.Function]map[string]bool{}
	var kept []*op
	for _, o := range out {
		var held []lockset.Held
		for _, h := range o.held {
			if !releasedOnTheWay(locks, o.chain[1:], h.Lock.Type, released) {
				held = append(held, h)
			}
		}
		if len(held) > 0 {
			o.held = held
			kept = append(kept, o)
		}
	}
	return kept
}

// releasedOnTheWay reports whether a function of chain may release a
// lock of type lock that it did not take.
func releasedOnTheWay(locks *lockset.Analysis, chain []*ssa.Function, lock string, memo map[*ssa.Function]map[string]bool) bool {
	for _, fn := range chain {
		types, ok := memo[fn]
		if !ok {
			types = map[string]bool{}
			for _, p := range locks.Summary(fn).Releases {
				types[p.Type] = true
			}
			memo[fn] = types
		}
		if types[lock] || types[""] {
			return true
		}
	}
	return false
}

// inTestFile reports whether fn is declared in a _test.go file.
func inTestFile(fset *token.FileSet, fn *ssa.Function) bool {
	return strings.HasSuffix(fset.Position(fn.Pos()).Filename, "_test.go")
}

// holdsNamed reports whether held has a lock known by its type.
func holdsNamed(held []lockset.Held) bool {
	for _, h := range held {
		if !h.Maybe && h.Lock.Type != "" {
			return true
		}
	}
	return false
}

// reach returns the operations fn makes, itself or through its calls
// within depth, each with the calls from fn to the function making it.
func (g *callGraph) reach(fn *ssa.Function, depth int) []*op {
	key := reachKey{fn, depth}
	if os, ok := g.memo[key]; ok {
		return os
	}
	if g.busy[fn] {
		return nil // a recursion: its operations are counted where it started
	}
	g.busy[fn] = true
	defer delete(g.busy, fn)
	seen := map[ssa.Instruction]bool{}
	var os []*op
	for _, o := range g.direct[fn] {
		d := *o
		d.chain = []*ssa.Function{fn}
		os = append(os, &d)
		seen[o.instr] = true
	}
	if depth > 1 {
		for _, c := range g.out[fn] {
			for _, o := range g.reach(c.callee, depth-1) {
				if seen[o.instr] {
					continue
				}
				seen[o.instr] = true
				d := *o
				d.chain = append([]*ssa.Function{fn}, o.chain...)
				os = append(os, &d)
			}
		}
	}
	g.memo[key] = os
	return os
}
