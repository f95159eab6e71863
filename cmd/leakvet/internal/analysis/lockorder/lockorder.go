package lockorder

import (
	_ "embed"
	"fmt"
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports two locks taken in opposite orders.
var Analyzer = &analysis.Analyzer{
	Name:     "lockorder",
	Doc:      docstring.FromDocGo(doc, "lockorder"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/lockorder",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer},
	Run:      run,
}

// An order is lock Then taken while First is held, by type name.
type order struct{ first, then string }

// A witness is the first place an order is taken.
type witness struct {
	held lockset.Held
	take lockset.Acquisition
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	locks := pass.ResultOf[lockset.Analyzer].(*lockset.Analysis)
	orders := map[order]witness{}
	for _, fn := range ssainput.SrcFuncs {
		locks.Events(fn, func(e lockset.Event) {
			// An Indirect lock is only one a call may take.
			if fresh(e.Take.Lock) || e.Take.Indirect || lockset.InTest(pass.Fset, e.Fn) {
				return
			}
			for _, h := range e.Held {
				if h.Maybe || h.Lock.Type == "" || e.Take.Lock.Type == "" || h.Lock.Type == e.Take.Lock.Type ||
					fresh(h.Lock) {
					continue
				}
				o := order{h.Lock.Type, e.Take.Lock.Type}
				if _, ok := orders[o]; !ok {
					orders[o] = witness{h, e.Take}
				}
			}
		})
	}
	r := lockset.NewReporter(pass)
	for _, o := range sorted(orders) {
		w, ok := orders[o]
		other, inverted := orders[order{o.then, o.first}]
		if !ok || !inverted || !blocks(w, other) {
			continue
		}
		r.Report(analysis.Diagnostic{
			Pos: w.take.Site.Pos,
			Message: fmt.Sprintf("lock order inverted: %s is locked here while %s is held (locked at %s)%s, and %s at %s%s while %s is held: two goroutines taking them deadlock",
				name(w.take.Lock), name(w.held.Lock), where(pass, w.held.Site.Pos), through(ssainput, w.take.Site),
				name(other.take.Lock), where(pass, other.take.Site.Pos), through(ssainput, other.take.Site), name(other.held.Lock)),
		})
	}
	return nil, nil
}

// blocks reports whether two goroutines taking the orders w and other
// block each other: each wants a lock in a mode the other holds it in
// that excludes it. Read locks alone do not.
func blocks(w, other witness) bool {
	return conflict(w.take.Mode, other.held.Mode) && conflict(other.take.Mode, w.held.Mode)
}

func conflict(a, b lockset.Mode) bool { return a == lockset.Write || b == lockset.Write }

// name names a lock by its type and field, the name the order is about.
func name(p lockset.Path) string { return "`" + p.Type + "`" }

func where(pass *analysis.Pass, pos token.Pos) string { return lockset.Where(pass.Fset, pos) }

func through(ssainput *buildssa.SSA, s lockset.Site) string {
	return lockset.Through(ssainput.Pkg, s.Chain)
}

// sorted returns the orders by the position of their second lock, so
// reports come in a stable order.
func sorted(orders map[order]witness) []order {
	os := make([]order, 0, len(orders))
	for o := range orders {
		os = append(os, o)
	}
	sort.Slice(os, func(i, j int) bool {
		return orders[os[i]].take.Site.Pos < orders[os[j]].take.Site.Pos
	})
	return os
}

// fresh reports whether p is a lock of an object the function made
// itself: no other goroutine can hold it until the object is shared, so
// its order is not yet an order.
func fresh(p lockset.Path) bool {
	_, ok := p.Root.(*ssa.Alloc)
	return ok
}
