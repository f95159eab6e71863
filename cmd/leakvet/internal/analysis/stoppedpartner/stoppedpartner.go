package stoppedpartner

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/chanfield"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/started"
)

//go:embed doc.go
var doc string

// Analyzer reports sends and receives whose only partner is a loop that
// can return.
var Analyzer = &analysis.Analyzer{
	Name:     "stoppedpartner",
	Doc:      docstring.FromDocGo(doc, "stoppedpartner"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/stoppedpartner",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	started := started.Functions(ssainput.SrcFuncs)
	r := lockset.NewReporter(pass)
	for v, f := range chanfield.Find(pass.Pkg, ssainput.SrcFuncs) {
		if f.Escapes || len(f.Made) == 0 || !f.Unbuffered() || len(f.Closes) > 0 {
			continue
		}
		// ops are the operations alone of one direction; the loop holds
		// every operation of the other, each a case of a select.
		var ops []ssa.Instruction
		var dir types.ChanDir
		switch {
		case len(f.Recvs) == 0 && len(f.Sends) > 0:
			for _, s := range f.Sends {
				ops = append(ops, s)
			}
			dir = types.RecvOnly
		case len(f.Sends) == 0 && len(f.Recvs) > 0:
			for _, r := range f.Recvs {
				ops = append(ops, r)
			}
			dir = types.SendOnly
		default:
			continue
		}
		loop, exit := partnerLoop(f, dir)
		if loop == nil || !started[loop] {
			continue
		}
		for _, op := range ops {
			if root(op.Parent()) == loop || f.Shared[op.Parent()] {
				continue
			}
			what, partner := "send on", "receiver"
			if dir == types.SendOnly {
				what, partner = "receive from", "sender"
			}
			r.Report(analysis.Diagnostic{Pos: op.Pos(), Message: fmt.Sprintf(
				"%s `%s` blocks forever once `%s`, its only %s, has returned (%s): select on what stops it too",
				what, names.Field(v), loop.RelString(pass.Pkg), partner, lockset.Where(pass.Fset, exit))})
		}
	}
	return nil, nil
}

// partnerLoop returns the one function whose selects operate on f in
// direction dir, and the return that ends it, if no other function's
// select does, and each of those selects is in a loop and has another
// case that returns. Cases of the other direction compete with the
// operations reported and are no partners of theirs.
func partnerLoop(f *chanfield.Field, dir types.ChanDir) (*ssa.Function, token.Pos) {
	var loop *ssa.Function
	exit := token.NoPos
	for _, c := range f.Selects {
		fn := c.Select.Parent()
		if c.Select.States[c.Index].Dir != dir {
			continue // an operation of the same direction: no partner
		}
		if loop != nil && fn != loop {
			return nil, token.NoPos
		}
		loop = fn
		ret := returningCase(fn, c.Select.Pos(), c.Select.States[c.Index].Pos)
		if !ret.IsValid() {
			return nil, token.NoPos
		}
		exit = ret
	}
	return loop, exit
}

// returningCase finds, in fn's syntax, the select statement at pos
// within a loop, and returns a return statement in one of its cases
// other than the one receiving at recv.
func returningCase(fn *ssa.Function, pos, recv token.Pos) token.Pos {
	body := fn.Syntax()
	if body == nil {
		return token.NoPos
	}
	var sel *ast.SelectStmt
	inLoop := false
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if s, ok := n.(*ast.SelectStmt); ok && s.Select == pos {
			sel, inLoop = s, loopAround(stack)
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != body {
			return false
		}
		stack = append(stack, n)
		return true
	})
	if sel == nil || !inLoop {
		return token.NoPos
	}
	for _, s := range sel.Body.List {
		cc := s.(*ast.CommClause)
		if cc.Comm != nil && cc.Comm.Pos() <= recv && recv < cc.Comm.End() {
			continue
		}
		if ret := firstReturn(cc); ret.IsValid() {
			return ret
		}
	}
	return token.NoPos
}

// loopAround reports whether the innermost loop or function literal of
// stack, the nodes around a statement, is a loop.
func loopAround(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncLit:
			return false
		}
	}
	return false
}

// firstReturn returns the first return statement of n outside function
// literals.
func firstReturn(n ast.Node) token.Pos {
	pos := token.NoPos
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if !pos.IsValid() {
				pos = n.Pos()
			}
		}
		return !pos.IsValid()
	})
	return pos
}

// root returns the function fn's closures are in.
func root(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}
