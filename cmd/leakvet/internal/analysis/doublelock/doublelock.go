package doublelock

import (
	_ "embed"
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports locks taken again on a path that holds them.
var Analyzer = &analysis.Analyzer{
	Name:     "doublelock",
	Doc:      docstring.FromDocGo(doc, "doublelock"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/doublelock",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	locks := pass.ResultOf[lockset.Analyzer].(*lockset.Analysis)
	r := lockset.NewReporter(pass)
	called := calledDirectly(ssainput.SrcFuncs)
	for _, fn := range ssainput.SrcFuncs {
		// A function its package calls, or others may, can leave a lock
		// held for its caller on purpose (acquireForkLock); one only
		// ever run as a value (a callback, a goroutine) cannot.
		if fn.Signature.Results().Len() == 0 && !called[fn] && !lockset.Exported(fn) {
			for _, l := range locks.Summary(fn).Leaks {
				if l.Return.Pos().IsValid() && !handOverHand(l.Lock) {
					r.Report(analysis.Diagnostic{Pos: l.Return.Pos(), Message: fmt.Sprintf(
						"return with %s still locked (locked at %s), which the function unlocks on its other paths: the next Lock blocks forever",
						lockset.Name(l.Lock), lockset.Where(pass.Fset, l.Site.Pos)+lockset.Through(ssainput.Pkg, l.Site.Chain)),
						SuggestedFixes: unlockFix(pass, l)})
				}
			}
		}
		for _, l := range locks.Summary(fn).ErrorLeaks {
			r.Report(analysis.Diagnostic{Pos: l.Return.Pos(), Message: fmt.Sprintf(
				"return of an error with %s still %s (at %s), which the function unlocks before it tries again: its caller, told it failed, will not unlock it",
				lockset.Name(l.Lock), l.Mode, lockset.Where(pass.Fset, l.Site.Pos)),
				SuggestedFixes: unlockFix(pass, l)})
		}
		reportStartedWaits(pass, ssainput.Pkg, locks, r, fn)
		locks.Events(fn, func(e lockset.Event) {
			if e.Take.Lock.Root == nil || handOverHand(e.Take.Lock) {
				return
			}
			for _, h := range e.Held {
				if h.Lock.Key() != e.Take.Lock.Key() && !backPointer(h.Lock, e.Take.Lock) ||
					// one value seen as two types (an interface
					// that holds either): not one lock
					h.Lock.Type != "" && e.Take.Lock.Type != "" && h.Lock.Type != e.Take.Lock.Type ||
					// a test locking twice in its own body means to
					// block (and unlocks from elsewhere)
					len(e.Take.Site.Chain) == 1 && len(h.Site.Chain) == 1 && lockset.InTest(pass.Fset, fn) ||
					// an exported function may leave a lock held on
					// some returns by contract (Rows.Scan)
					h.Maybe && lockset.Exported(h.Returner) {
					continue
				}
				r.Report(analysis.Diagnostic{Pos: e.Take.Site.Pos, Message: message(pass, ssainput, e, h)})
			}
		})
	}
	return nil, nil
}

// message says why taking e's lock, held as h, blocks.
func message(pass *analysis.Pass, ssainput *buildssa.SSA, e lockset.Event, h lockset.Held) string {
	pkg := ssainput.Pkg
	name := lockset.Name(e.Take.Lock)
	if h.Lock.Key() != e.Take.Lock.Key() {
		name = lockset.Name(h.Lock) + " (reached again as " + name + ", a back pointer from an element of its own collection)"
	}
	again := lockset.Where(pass.Fset, e.Take.Site.Pos) + lockset.Through(pkg, e.Take.Site.Chain)
	first := lockset.Where(pass.Fset, h.Site.Pos) + lockset.Through(pkg, h.Site.Chain)
	if h.Maybe {
		return fmt.Sprintf("%s is locked at %s and %s can return without unlocking it; locking it again at %s blocks forever",
			name, first, "`"+h.Returner.RelString(pkg.Pkg)+"`", again)
	}
	if h.Mode == lockset.Read && e.Take.Mode == lockset.Read {
		return fmt.Sprintf("%s is read-locked at %s and again at %s: recursive read locking blocks forever if a writer calls Lock in between",
			name, first, again)
	}
	return fmt.Sprintf("%s is %s at %s and %s again at %s: blocks forever", name, h.Mode, first, e.Take.Mode, again)
}

// calledDirectly returns the functions of fns that some function of fns
// calls by name.
func calledDirectly(fns []*ssa.Function) map[*ssa.Function]bool {
	called := map[*ssa.Function]bool{}
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil {
						called[callee] = true
					}
				}
			}
		}
	}
	return called
}

// handOverHand reports whether p is reached through a loop-carried value
// (i = i.parent): the same name is then a different lock each turn.
func handOverHand(p lockset.Path) bool {
	_, ok := p.Root.(*ssa.Phi)
	return ok
}
