// Package gostart finds where code starts goroutines: go statements, and
// the library calls that run a function in a new goroutine.
package gostart

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// Goroutine reports whether n starts a goroutine, and which function it
// runs: a literal, or a named function or method (nil if neither, as for
// a function value). It knows go statements and the Go methods of
// sync.WaitGroup and golang.org/x/sync/errgroup.Group (and TryGo).
func Goroutine(info *types.Info, n ast.Node) (lit *ast.FuncLit, fn *types.Func, ok bool) {
	var f ast.Expr
	switch n := n.(type) {
	case *ast.GoStmt:
		if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
			return lit, nil, true
		}
		return nil, typeutil.StaticCallee(info, n.Call), true
	case *ast.CallExpr:
		if !isGoMethod(typeutil.StaticCallee(info, n)) || len(n.Args) != 1 {
			return nil, nil, false
		}
		f = ast.Unparen(n.Args[0])
	default:
		return nil, nil, false
	}
	switch f := f.(type) {
	case *ast.FuncLit:
		return f, nil, true
	case *ast.Ident:
		fn, _ = info.Uses[f].(*types.Func)
	case *ast.SelectorExpr:
		fn, _ = info.Uses[f.Sel].(*types.Func)
	}
	return nil, fn, true
}

// isGoMethod reports whether fn is a method that runs its argument in a
// new goroutine.
func isGoMethod(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || fn.Signature().Recv() == nil {
		return false
	}
	recv := fn.Signature().Recv().Type()
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	named, ok := types.Unalias(recv).(*types.Named)
	if !ok {
		return false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case "sync.WaitGroup":
		return fn.Name() == "Go"
	case "golang.org/x/sync/errgroup.Group":
		return fn.Name() == "Go" || fn.Name() == "TryGo"
	}
	return false
}
