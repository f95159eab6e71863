package nosender

import (
	_ "embed"
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports receives from channels nothing sends on or closes.
var Analyzer = &analysis.Analyzer{
	Name:     "nosender",
	Doc:      docstring.FromDocGo(doc, "nosender"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nosender",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	r := lockset.NewReporter(pass)
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeChan); ok {
					check(pass, r, ssainput.Pkg, mk)
				}
			}
		}
	}
	checkFields(pass, r, ssainput.SrcFuncs)
	return nil, nil
}

// check reports the receives from ch if nothing can ever send on it or
// close it.
func check(pass *analysis.Pass, r *lockset.Reporter, pkg *ssa.Package, ch *ssa.MakeChan) {
	var recvs []*ssa.UnOp
	var takers []string
	for _, ref := range *ch.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.ARROW {
				return
			}
			recvs = append(recvs, ref)
		case *ssa.Go:
			callee, ok := ref.Call.Value.(*ssa.Function)
			if !ok || callee.Pkg != pkg || callee.Blocks == nil || ref.Call.IsInvoke() {
				return
			}
			for i, arg := range ref.Call.Args {
				if arg == ch && !unused(callee.Params[i]) {
					return
				}
			}
			takers = append(takers, "`"+callee.RelString(pkg.Pkg)+"`")
		case *ssa.DebugRef:
		default:
			return // sent on, closed, passed, stored, selected on here
		}
	}
	if len(takers) == 0 {
		return
	}
	for _, recv := range recvs {
		r.Report(analysis.Diagnostic{Pos: recv.Pos(), Message: fmt.Sprintf(
			"receive blocks forever: nothing sends on this channel or closes it (%s, given it, never uses it)",
			takers[0])})
	}
}

// unused reports whether the parameter p is never used.
func unused(p *ssa.Parameter) bool {
	for _, ref := range *p.Referrers() {
		if _, ok := ref.(*ssa.DebugRef); !ok {
			return false
		}
	}
	return true
}
