package foreverloop

import (
	_ "embed"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/gostart"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lifetime"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/loopexit"
)

//go:embed doc.go
var doc string

// Analyzer reports goroutines that loop forever with no way to stop them.
var Analyzer = &analysis.Analyzer{
	Name:     "foreverloop",
	Doc:      docstring.FromDocGo(doc, "foreverloop"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/foreverloop",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	decls := funcDecls(pass)
	judge := lifetime.New(pass)
	for c := range insp.Root().Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
		lit, fn, ok := gostart.Goroutine(pass.TypesInfo, c.Node())
		if !ok || judge.Process(c) {
			continue
		}
		if lit != nil {
			if loop := endlessLoop(pass.TypesInfo, lit.Body); loop != nil {
				pass.ReportRangef(loop, "goroutine loops forever with no way to stop it: add an exit its owner controls, such as case <-ctx.Done(): return")
			}
			continue
		}
		if fn == nil {
			continue
		}
		if decl := decls[fn.Origin()]; decl != nil && decl.Body != nil {
			if loop := endlessLoop(pass.TypesInfo, decl.Body); loop != nil {
				pass.ReportRangef(c.Node(), "goroutine %s loops forever (line %d) with no way to stop it: add an exit its owner controls, such as case <-ctx.Done(): return",
					fn.Name(), pass.Fset.Position(loop.Pos()).Line)
			}
		}
	}
	return nil, nil
}

// funcDecls maps the functions and methods declared in the package to
// their declarations.
func funcDecls(pass *analysis.Pass) map[*types.Func]*ast.FuncDecl {
	decls := make(map[*types.Func]*ast.FuncDecl)
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if d, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok {
					decls[fn] = d
				}
			}
		}
	}
	return decls
}

// endlessLoop returns the first loop in body, outside nested function
// literals, that never ends, or nil. Once such a loop is entered the
// function can never return, whatever the rest of it does.
func endlessLoop(info *types.Info, body *ast.BlockStmt) ast.Stmt {
	var found ast.Stmt
	labels := make(map[ast.Stmt]string)
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.LabeledStmt:
			labels[n.Stmt] = n.Label.Name
		case *ast.ForStmt, *ast.RangeStmt:
			loop := n.(ast.Stmt)
			if loopexit.Endless(info, loop) && !loopexit.Exits(info, loop, labels[loop]) {
				found = loop
				return false
			}
		}
		return true
	})
	return found
}
