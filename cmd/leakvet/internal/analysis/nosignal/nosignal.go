package nosignal

import (
	_ "embed"
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/syncuse"
)

//go:embed doc.go
var doc string

// Analyzer reports Cond.Wait calls on condition variables nothing
// signals.
var Analyzer = &analysis.Analyzer{
	Name:     "nosignal",
	Doc:      docstring.FromDocGo(doc, "nosignal"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nosignal",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	r := lockset.NewReporter(pass)
	for _, c := range syncuse.Find(pass.Pkg, ssainput.SrcFuncs, "Cond") {
		if c.Escapes || len(c.Calls["Signal"]) > 0 || len(c.Calls["Broadcast"]) > 0 {
			continue
		}
		for _, w := range c.Calls["Wait"] {
			r.Report(analysis.Diagnostic{Pos: w.Pos(), Message: fmt.Sprintf(
				"Wait blocks forever: nothing calls Signal or Broadcast on `%s`", c.Name)})
		}
	}
	return nil, nil
}
