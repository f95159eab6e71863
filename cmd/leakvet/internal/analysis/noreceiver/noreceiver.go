package noreceiver

import (
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/chanfield"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
)

//go:embed doc.go
var doc string

// Analyzer reports sends on channels nothing receives from.
var Analyzer = &analysis.Analyzer{
	Name:     "noreceiver",
	Doc:      docstring.FromDocGo(doc, "noreceiver"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/noreceiver",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	r := lockset.NewReporter(pass)
	var loops *repeats // made on the first buffered candidate: most packages have none
	for v, f := range chanfield.Find(pass.Pkg, ssainput.SrcFuncs) {
		if !sentOnly(f) {
			continue
		}
		sends := blockingSends(f)
		if len(sends) == 0 {
			continue
		}
		made := lockset.Where(pass.Fset, f.Made[0].Pos())
		size, unbuffered := capacity(f.Made)
		for _, s := range sends {
			if unbuffered {
				r.Report(analysis.Diagnostic{Pos: s.pos, Message: fmt.Sprintf(
					"send blocks forever: nothing receives from `%s` (made unbuffered at %s; the package only sends on it)",
					names.Field(v), made)})
				continue
			}
			if loops == nil {
				loops = newRepeats(ssainput.Pkg, ssainput.SrcFuncs)
			}
			why, ok := loops.why(s.fn, s.block)
			if !ok {
				continue
			}
			r.Report(analysis.Diagnostic{Pos: s.pos, Message: fmt.Sprintf(
				"send blocks forever once the buffer%s is full: nothing receives from `%s` (made at %s; the package only sends on it), and %s",
				size, names.Field(v), made, why)})
		}
	}
	return nil, nil
}

// sentOnly reports whether the package only sends on the channels of
// field f: made for it, never received from, closed, or handed out.
func sentOnly(f *chanfield.Field) bool {
	if f.Escapes || len(f.Made) == 0 || len(f.Recvs) > 0 || len(f.Closes) > 0 {
		return false
	}
	for _, c := range f.Selects {
		if c.Select.States[c.Index].Dir != types.SendOnly {
			return false
		}
	}
	return true
}

// A send is a send on the field that waits for nothing else.
type send struct {
	pos   token.Pos
	fn    *ssa.Function
	block *ssa.BasicBlock
}

// blockingSends returns the sends on f alone and the selects whose only
// case is a send on f, outside the functions given the channel as an
// argument (whose operations may be on other channels too).
func blockingSends(f *chanfield.Field) []send {
	var ss []send
	for _, s := range f.Sends {
		if !f.Shared[s.Parent()] {
			ss = append(ss, send{s.Pos(), s.Parent(), s.Block()})
		}
	}
	for _, c := range f.Selects {
		sel := c.Select
		if sel.Blocking && len(sel.States) == 1 && !f.Shared[sel.Parent()] {
			ss = append(ss, send{sel.States[c.Index].Pos, sel.Parent(), sel.Block()})
		}
	}
	return ss
}

// capacity describes the buffer of the channels made: " of N" when all
// are made with the same constant size, and whether all are unbuffered.
func capacity(made []*ssa.MakeChan) (size string, unbuffered bool) {
	sizes := map[int64]bool{}
	for _, mk := range made {
		c, ok := mk.Size.(*ssa.Const)
		if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
			return "", false
		}
		n, _ := constant.Int64Val(c.Value)
		sizes[n] = true
	}
	if len(sizes) != 1 {
		return "", false
	}
	for n := range sizes {
		return fmt.Sprintf(" of %d", n), n == 0
	}
	return "", false
}
