package nodone

import (
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/syncuse"
)

//go:embed doc.go
var doc string

// Analyzer reports WaitGroup.Wait calls on groups nothing marks Done.
var Analyzer = &analysis.Analyzer{
	Name:     "nodone",
	Doc:      docstring.FromDocGo(doc, "nodone"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nodone",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	r := lockset.NewReporter(pass)
	for _, wg := range syncuse.Find(pass.Pkg, ssainput.SrcFuncs, "WaitGroup") {
		add := positiveAdd(wg)
		if wg.Escapes || !add.IsValid() || len(wg.Calls["Done"]) > 0 || len(wg.Calls["Go"]) > 0 {
			continue
		}
		for _, w := range wg.Calls["Wait"] {
			r.Report(analysis.Diagnostic{Pos: w.Pos(), Message: fmt.Sprintf(
				"Wait blocks forever once Add has run (%s): nothing calls Done on `%s`",
				lockset.Where(pass.Fset, add), wg.Name)})
		}
	}
	return nil, nil
}

// positiveAdd returns where wg's Adds are, if all of them add a positive
// constant: an Add of another count may be a Done.
func positiveAdd(wg *syncuse.Object) token.Pos {
	pos := token.NoPos
	for _, add := range wg.Calls["Add"] {
		n, ok := add.Args[1].(*ssa.Const)
		if !ok || n.Value == nil || constant.Sign(n.Value) <= 0 {
			return token.NoPos
		}
		pos = add.Pos()
	}
	return pos
}
