package abandonedsend

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
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
func classifyUses(info *types.Info, decls map[*types.Func]*ast.FuncDecl, fn inspector.Cursor, ch madeChan) (uses, bool) {
	var u uses
	for c := range fn.Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		if info.Uses[id] != ch.v {
			continue
		}
		lit, inLit := innermostLit(fn, c)
		if !inLit {
			if g, sends, ok := startedWith(info, decls, fn, c); ok {
				if u.goStmt != nil && u.goStmt != g.Node() {
					return u, false
				}
				u.goCursor, u.goStmt = g, g.Node().(*ast.GoStmt)
				u.sends = append(u.sends, sends...)
				u.sendInLoop = true // another function: no fix offered
				continue
			}
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

// startedWith reports whether the use of a channel at c is as the
// argument of a go statement of fn starting a function of the package
// (go worker(ch)) that only sends on its parameter outside selects, or
// closes it; it returns the go statement and those sends.
func startedWith(info *types.Info, decls map[*types.Func]*ast.FuncDecl, fn, c inspector.Cursor) (inspector.Cursor, []*ast.SendStmt, bool) {
	call, ok := c.Parent().Node().(*ast.CallExpr)
	g := c.Parent().Parent()
	if !ok || g.Node() == nil {
		return g, nil, false
	}
	goStmt, ok := g.Node().(*ast.GoStmt)
	if !ok || goStmt.Call != call {
		return g, nil, false
	}
	if outer, _ := innermostLit(fn, g); outer != fn {
		return g, nil, false
	}
	callee, ok := typeutil.Callee(info, call).(*types.Func)
	decl := decls[callee]
	if !ok || decl == nil || decl.Body == nil {
		return g, nil, false
	}
	i := slices.Index(call.Args, ast.Expr(c.Node().(*ast.Ident)))
	param := paramAt(info, decl, i)
	if param == nil {
		return g, nil, false
	}
	var sends []*ast.SendStmt
	ok = true
	var stack []ast.Node
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if id, isID := n.(*ast.Ident); isID && info.Uses[id] == param {
			send, isSend := stack[len(stack)-1].(*ast.SendStmt)
			switch {
			case isSend && send.Chan == id && !withinSelectOrLit(stack):
				sends = append(sends, send)
			case isCloseOf(info, stack[len(stack)-1], id):
			default:
				ok = false
			}
		}
		stack = append(stack, n)
		return ok
	})
	return g, sends, ok && len(sends) > 0
}

// paramAt returns the parameter number i of decl, if it is not variadic.
func paramAt(info *types.Info, decl *ast.FuncDecl, i int) *types.Var {
	sig, ok := info.Defs[decl.Name].(*types.Func)
	if !ok || i < 0 || i >= sig.Signature().Params().Len() || (sig.Signature().Variadic() && i == sig.Signature().Params().Len()-1) {
		return nil
	}
	return sig.Signature().Params().At(i)
}

// withinSelectOrLit reports whether stack, the nodes around a use, holds
// a select statement or a function literal.
func withinSelectOrLit(stack []ast.Node) bool {
	for _, n := range stack {
		switch n.(type) {
		case *ast.SelectStmt, *ast.FuncLit:
			return true
		}
	}
	return false
}

// isCloseOf reports whether n is close(id).
func isCloseOf(info *types.Info, n ast.Node, id *ast.Ident) bool {
	call, ok := n.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || call.Args[0] != id {
		return false
	}
	fun, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || fun.Name != "close" {
		return false
	}
	_, ok = info.Uses[fun].(*types.Builtin)
	return ok
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
