package abandonedsend

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// uses is what a function does with a channel it made.
type uses struct {
	goCursor   inspector.Cursor // the go statement of the sending goroutine
	goStmt     *ast.GoStmt
	sends      []*ast.SendStmt // the goroutine's sends, outside selects
	sendInLoop bool            // some send can run more than once
}

// classifyUses collects the uses of ch in fn. It returns false if any use
// takes the channel out of view: passing or storing it, sending within a
// select, using it in a second goroutine or any other closure, or
// assigning it again. Then someone else may receive and the analyzer has
// nothing to say.
func classifyUses(info *types.Info, fn inspector.Cursor, ch madeChan) (uses, bool) {
	var u uses
	for c := range fn.Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		if info.Uses[id] != ch.v {
			continue
		}
		lit, inLit := innermostLit(fn, c)
		if !inLit {
			if !ownUse(info, ch, c) {
				return u, false
			}
			continue
		}
		g, ok := goStmtOf(fn, lit)
		if !ok || (u.goStmt != nil && u.goStmt != g.Node()) {
			return u, false
		}
		u.goCursor, u.goStmt = g, g.Node().(*ast.GoStmt)
		send, ok := c.Parent().Node().(*ast.SendStmt)
		switch {
		case ok && send.Chan == id && !inSelect(lit, c):
			u.sends = append(u.sends, send)
			u.sendInLoop = u.sendInLoop || loopBetween(lit, c)
		case isBuiltinCall(info, c, "close"):
		default:
			return u, false
		}
	}
	return u, true
}

// ownUse reports whether the use of ch at c, in the function that made
// it, keeps the channel in view: a receive, a range, the assignment of
// the make call itself, or close, len or cap.
func ownUse(info *types.Info, ch madeChan, c inspector.Cursor) bool {
	id := c.Node().(*ast.Ident)
	switch p := c.Parent().Node().(type) {
	case *ast.UnaryExpr:
		return p.Op == token.ARROW
	case *ast.RangeStmt:
		return p.X == id
	case *ast.AssignStmt:
		for i, l := range p.Lhs {
			if l == id && len(p.Rhs) == len(p.Lhs) && ast.Unparen(p.Rhs[i]) == ch.make {
				return true
			}
		}
		return false
	case *ast.CallExpr:
		return isBuiltinCall(info, c, "close") || isBuiltinCall(info, c, "len") || isBuiltinCall(info, c, "cap")
	}
	return false
}

// isBuiltinCall reports whether the identifier at c is the argument of a
// call of the builtin called name.
func isBuiltinCall(info *types.Info, c inspector.Cursor, name string) bool {
	call, ok := c.Parent().Node().(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || call.Args[0] != c.Node() {
		return false
	}
	fun, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || fun.Name != name {
		return false
	}
	_, ok = info.Uses[fun].(*types.Builtin)
	return ok
}

// innermostLit returns the innermost function literal around c inside fn,
// if c is in one.
func innermostLit(fn, c inspector.Cursor) (inspector.Cursor, bool) {
	for lit := range c.Enclosing((*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		if lit == fn {
			return lit, false
		}
		return lit, true
	}
	return fn, false
}

// goStmtOf returns the go statement that starts lit, if lit is started
// directly by a go statement of fn (go func() { ... }()).
func goStmtOf(fn, lit inspector.Cursor) (inspector.Cursor, bool) {
	call := lit.Parent()
	if c, ok := call.Node().(*ast.CallExpr); !ok || ast.Unparen(c.Fun) != lit.Node() {
		return call, false
	}
	g := call.Parent()
	if _, ok := g.Node().(*ast.GoStmt); !ok {
		return g, false
	}
	outer, _ := innermostLit(fn, g)
	return g, outer == fn
}

// inSelect reports whether c is in a select statement within lit.
func inSelect(lit, c inspector.Cursor) bool {
	for p := range c.Enclosing((*ast.SelectStmt)(nil), (*ast.FuncLit)(nil)) {
		return p != lit
	}
	return false
}

// loopBetween reports whether a loop of lit encloses c.
func loopBetween(lit, c inspector.Cursor) bool {
	for p := range c.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil)) {
		return p != lit
	}
	return false
}
