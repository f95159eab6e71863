package abandonedsend

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/cfg"
)

// abandoningReturn returns a return statement of fn (explicit, or the
// implicit one at the closing brace) that control can reach from the go
// statement g without receiving from ch, or nil if every path from g to a
// return receives. Paths ending in a call that never returns (panic,
// os.Exit, t.Fatal) end the function some other way and are not counted.
func abandoningReturn(info *types.Info, fn ast.Node, g *cfg.CFG, goStmt *ast.GoStmt, ch *types.Var) *ast.ReturnStmt {
	comms := selectComms(fn)
	start, at := findNode(g, goStmt)
	if start == nil {
		return nil
	}
	// A loop that surely runs once is entered twice: first only into its
	// body, then, coming back, into its body or out of it. Every other
	// block is entered once.
	visits := make(map[*cfg.Block]int)
	limit := func(b *cfg.Block) int {
		if runsOnce(info, b) {
			return 2
		}
		return 1
	}
	var walk func(b *cfg.Block, from int) *ast.ReturnStmt
	walk = func(b *cfg.Block, from int) *ast.ReturnStmt {
		visits[b]++
		if receivesOnEntry(b, ch, info) {
			return nil
		}
		for _, n := range b.Nodes[from:] {
			if !comms[n] && receives(n, ch, info) {
				return nil
			}
		}
		if ret := b.Return(); ret != nil {
			return ret
		}
		succs := b.Succs
		if visits[b] == 1 && limit(b) == 2 {
			succs = succs[:1] // the body, not the way out
		}
		for _, s := range succs {
			if visits[s] < limit(s) {
				if ret := walk(s, 0); ret != nil {
					return ret
				}
			}
		}
		return nil
	}
	return walk(start, at+1)
}

// runsOnce reports whether b is the head of a loop whose body surely runs
// at least once: for i := 0; i < 10; i++ with constant bounds, or range
// over a positive constant. Without this, the path that skips the loop
// that receives (for i := 0; i < n; i++ { <-ch }) would be reported.
func runsOnce(info *types.Info, b *cfg.Block) bool {
	switch s := b.Stmt.(type) {
	case *ast.ForStmt:
		return b.Kind == cfg.KindForLoop && firstTestHolds(info, s)
	case *ast.RangeStmt:
		n := info.Types[s.X].Value
		return b.Kind == cfg.KindRangeLoop && n != nil && n.Kind() == constant.Int && constant.Sign(n) > 0
	}
	return false
}

// firstTestHolds reports whether the condition of loop, of the form
// "i := c0; i op c1" with constants c0 and c1, holds on entry.
func firstTestHolds(info *types.Info, loop *ast.ForStmt) bool {
	init, ok := loop.Init.(*ast.AssignStmt)
	if !ok || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return false
	}
	cond, ok := loop.Cond.(*ast.BinaryExpr)
	if !ok || !isSameVar(info, init.Lhs[0], cond.X) {
		return false
	}
	c0, c1 := info.Types[init.Rhs[0]].Value, info.Types[cond.Y].Value
	if c0 == nil || c1 == nil {
		return false
	}
	switch cond.Op {
	case token.LSS, token.LEQ, token.GTR, token.GEQ, token.NEQ:
		return constant.Compare(c0, cond.Op, c1)
	}
	return false
}

func isSameVar(info *types.Info, a, b ast.Expr) bool {
	ida, ok1 := a.(*ast.Ident)
	idb, ok2 := ast.Unparen(b).(*ast.Ident)
	return ok1 && ok2 && info.ObjectOf(ida) != nil && info.ObjectOf(ida) == info.ObjectOf(idb)
}

// findNode returns the block holding n and n's index in it.
func findNode(g *cfg.CFG, n ast.Node) (*cfg.Block, int) {
	for _, b := range g.Blocks {
		for i, m := range b.Nodes {
			if m == n {
				return b, i
			}
		}
	}
	return nil, 0
}

// selectComms returns the communication statements of the select cases
// in fn. The CFG evaluates them all before the select, in one block; the
// receive really happens only in the chosen case's body block.
func selectComms(fn ast.Node) map[ast.Node]bool {
	comms := make(map[ast.Node]bool)
	ast.Inspect(fn, func(n ast.Node) bool {
		if cc, ok := n.(*ast.CommClause); ok && cc.Comm != nil {
			comms[cc.Comm] = true
		}
		return true
	})
	return comms
}

// receivesOnEntry reports whether entering b receives from ch: b is the
// body of a select case receiving from ch, or the head of a range over
// ch.
func receivesOnEntry(b *cfg.Block, ch *types.Var, info *types.Info) bool {
	switch s := b.Stmt.(type) {
	case *ast.CommClause:
		return b.Kind == cfg.KindSelectCaseBody && s.Comm != nil && receives(s.Comm, ch, info)
	case *ast.RangeStmt:
		return b.Kind == cfg.KindRangeLoop && isVar(s.X, ch, info)
	}
	return false
}

// receives reports whether n, outside function literals, contains a
// receive from ch.
func receives(n ast.Node, ch *types.Var, info *types.Info) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && isVar(n.X, ch, info) {
				found = true
			}
		}
		return !found
	})
	return found
}

func isVar(e ast.Expr, v *types.Var, info *types.Info) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && info.Uses[id] == v
}
