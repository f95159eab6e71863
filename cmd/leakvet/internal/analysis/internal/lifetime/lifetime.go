// Package lifetime tells code that runs once for the life of the process
// (commands, init, package variables, sync.Once) from code that may run
// many times. A goroutine or ticker that lives forever is a leak only in
// the second kind.
package lifetime

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Process reports whether the code at c belongs to the process rather
// than to a caller who could stop it: any non-test code of a main
// package, an init function, a package-level variable's initializer, or
// a function literal run by sync.Once.Do, sync.OnceFunc, OnceValue or
// OnceValues, which by construction runs at most once, or a function of
// the package used only so.
func Process(pass *analysis.Pass, c inspector.Cursor) bool {
	if pass.Pkg.Name() == "main" && !IsTestFile(pass, c.Node()) {
		return true
	}
	decl, ok := outermostFunc(c)
	if !ok {
		return true // package-level initializer
	}
	if decl.Recv == nil && decl.Name.Name == "init" {
		return true
	}
	for lit := range c.Enclosing((*ast.FuncLit)(nil)) {
		call, ok := lit.Parent().Node().(*ast.CallExpr)
		if ok && isOnce(pass.TypesInfo, call) {
			return true
		}
	}
	fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
	return ok && runOnlyOnce(pass, fn)
}

// runOnlyOnce reports whether the package uses fn only as the function
// sync.Once runs (serverDateOnce.Do(updateServerDate)): it then runs at
// most once, as a literal given to Do does.
func runOnlyOnce(pass *analysis.Pass, fn *types.Func) bool {
	uses := 0
	for _, obj := range pass.TypesInfo.Uses {
		if obj == fn {
			uses++
		}
	}
	if uses == 0 {
		return false
	}
	once := 0
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 || !isOnce(pass.TypesInfo, call) {
				return true
			}
			var id *ast.Ident
			switch arg := ast.Unparen(call.Args[0]).(type) {
			case *ast.Ident:
				id = arg
			case *ast.SelectorExpr:
				id = arg.Sel
			}
			if id != nil && pass.TypesInfo.Uses[id] == fn {
				once++
			}
			return true
		})
	}
	return once == uses
}

// IsTestFile reports whether n is in a _test.go file.
func IsTestFile(pass *analysis.Pass, n ast.Node) bool {
	return strings.HasSuffix(pass.Fset.File(n.Pos()).Name(), "_test.go")
}

// outermostFunc returns the function declaration enclosing c, if any.
func outermostFunc(c inspector.Cursor) (*ast.FuncDecl, bool) {
	for d := range c.Enclosing((*ast.FuncDecl)(nil)) {
		return d.Node().(*ast.FuncDecl), true
	}
	return nil, false
}

// isOnce reports whether call is sync.(*Once).Do or one of sync's
// OnceFunc, OnceValue and OnceValues.
func isOnce(info *types.Info, call *ast.CallExpr) bool {
	fn := typeutil.StaticCallee(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return false
	}
	switch fn.Name() {
	case "Do":
		recv := fn.Signature().Recv()
		return recv != nil && strings.HasSuffix(recv.Type().String(), "sync.Once")
	case "OnceFunc", "OnceValue", "OnceValues":
		return true
	}
	return false
}
