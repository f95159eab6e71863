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

// A Judge tells, in one package, code that runs once for the life of
// the process from code that may run many times. Make one per pass with
// [New]: it learns once which of the package's functions only sync.Once
// runs.
type Judge struct {
	pass *analysis.Pass
	// onceOnly holds the package's functions used only as what a
	// sync.Once runs (serverDateOnce.Do(updateServerDate)), found on
	// first use.
	onceOnly map[*types.Func]bool
}

// New returns a Judge for pass's package.
func New(pass *analysis.Pass) *Judge { return &Judge{pass: pass} }

// Process reports whether the code at c belongs to the process rather
// than to a caller who could stop it: any non-test code of a main
// package, an init function, a package-level variable's initializer, a
// function literal run by sync.Once.Do, sync.OnceFunc, OnceValue or
// OnceValues, which by construction runs at most once, or a function of
// the package used only so.
func (j *Judge) Process(c inspector.Cursor) bool {
	pass := j.pass
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
	if !ok {
		return false
	}
	if j.onceOnly == nil {
		j.onceOnly = runOnlyOnce(pass)
	}
	return j.onceOnly[fn]
}

// runOnlyOnce returns the functions of the package it uses only as the
// function sync.Once runs: they run at most once, as a literal given to
// Do does.
func runOnlyOnce(pass *analysis.Pass) map[*types.Func]bool {
	byOnce := map[*types.Func]int{}
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
			if id == nil {
				return true
			}
			if fn, ok := pass.TypesInfo.Uses[id].(*types.Func); ok {
				byOnce[fn]++
			}
			return true
		})
	}
	only := map[*types.Func]bool{}
	if len(byOnce) == 0 {
		return only
	}
	uses := map[*types.Func]int{}
	for _, obj := range pass.TypesInfo.Uses {
		if fn, ok := obj.(*types.Func); ok && byOnce[fn] > 0 {
			uses[fn]++
		}
	}
	for fn, n := range byOnce {
		only[fn] = uses[fn] == n
	}
	return only
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
