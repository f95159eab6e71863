package lockset

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Where returns "file.go:LINE" for pos, for messages.
func Where(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// Through returns " through f → g" naming the calls of chain, or "" when
// the chain is one function.
func Through(pkg *ssa.Package, chain []*ssa.Function) string {
	if len(chain) < 2 {
		return ""
	}
	names := make([]string, len(chain))
	for i, fn := range chain {
		names[i] = "`" + fn.RelString(pkg.Pkg) + "`"
	}
	return " through " + strings.Join(names, " → ")
}

// Name returns how a message names lock p.
func Name(p Path) string {
	switch {
	case p.Text != "":
		return "`" + p.Text + "`"
	case p.Type != "":
		return "`" + p.Type + "`"
	}
	return "the lock"
}

// A Reporter reports each position once.
type Reporter struct {
	pass *analysis.Pass
	seen map[token.Pos]bool
}

// NewReporter returns a Reporter for pass.
func NewReporter(pass *analysis.Pass) *Reporter {
	return &Reporter{pass: pass, seen: map[token.Pos]bool{}}
}

// Report reports d unless its position was reported.
func (r *Reporter) Report(d analysis.Diagnostic) {
	if !d.Pos.IsValid() || r.seen[d.Pos] {
		return
	}
	r.seen[d.Pos] = true
	r.pass.Report(d)
}

// InTest reports whether fn is a test, benchmark or fuzz function, a
// test helper (a function of a _test.go file given a *testing.T, B or
// F), or a closure in one. Tests take locks in unusual ways on purpose:
// to hold a component still while they look, or to block a goroutine
// they watch.
func InTest(fset *token.FileSet, fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	if !strings.HasSuffix(fset.Position(fn.Pos()).Filename, "_test.go") {
		return false
	}
	for _, prefix := range []string{"Test", "Benchmark", "Fuzz"} {
		if strings.HasPrefix(fn.Name(), prefix) {
			return true
		}
	}
	for _, p := range fn.Params {
		if ptr, ok := p.Type().(*types.Pointer); ok {
			if named, ok := ptr.Elem().(*types.Named); ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "testing" {
				return true
			}
		}
	}
	return false
}

// Exported reports whether fn is an exported function or method, whose
// callers in other packages may rely on how it leaves a lock.
func Exported(fn *ssa.Function) bool {
	return fn.Object() != nil && fn.Object().Exported()
}
