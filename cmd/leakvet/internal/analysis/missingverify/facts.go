package missingverify

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/gostart"
)

// startsGoroutines is the fact that a function, when called, may start a
// goroutine: it contains a go statement, or calls a function of its own
// package that does.
type startsGoroutines struct{}

func (*startsGoroutines) AFact()         {}
func (*startsGoroutines) String() string { return "startsGoroutines" }

// exportGoroutineFacts marks the functions of the package's non-test
// files that start goroutines, so that tests, internal or external, can
// tell which calls to the package under test do.
func exportGoroutineFacts(pass *analysis.Pass) {
	callers := make(map[*types.Func][]*types.Func) // callee -> its callers in the package
	var work []*types.Func
	marked := make(map[*types.Func]bool)
	for _, f := range pass.Files {
		if strings.HasSuffix(pass.Fset.File(f.FileStart).Name(), "_test.go") {
			continue
		}
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
			if !ok {
				continue
			}
			ast.Inspect(decl.Body, func(n ast.Node) bool {
				if _, _, ok := gostart.Goroutine(pass.TypesInfo, n); ok && !marked[fn] {
					marked[fn] = true
					work = append(work, fn)
				}
				if call, ok := n.(*ast.CallExpr); ok {
					if callee := typeutil.StaticCallee(pass.TypesInfo, call); callee != nil && callee.Pkg() == pass.Pkg {
						callee = callee.Origin()
						callers[callee] = append(callers[callee], fn)
					}
				}
				return true
			})
		}
	}
	// Spread the mark from callees to their callers.
	for len(work) > 0 {
		fn := work[len(work)-1]
		work = work[:len(work)-1]
		pass.ExportObjectFact(fn, new(startsGoroutines))
		for _, caller := range callers[fn] {
			if !marked[caller] {
				marked[caller] = true
				work = append(work, caller)
			}
		}
	}
}
