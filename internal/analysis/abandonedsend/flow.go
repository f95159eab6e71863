package abandonedsend

import (
	"go/ast"
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
	seen := make(map[*cfg.Block]bool)
	var walk func(b *cfg.Block, from int) *ast.ReturnStmt
	walk = func(b *cfg.Block, from int) *ast.ReturnStmt {
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
		for _, s := range b.Succs {
			if !seen[s] {
				seen[s] = true
				if ret := walk(s, 0); ret != nil {
					return ret
				}
			}
		}
		return nil
	}
	seen[start] = true
	return walk(start, at+1)
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
