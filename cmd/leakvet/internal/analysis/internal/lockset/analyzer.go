package lockset

import (
	"fmt"
	"reflect"
	"runtime/debug"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
)

// Analyzer makes the [Analysis] of a package, which doublelock, lockorder
// and chanlock share: each function's summary is computed once for all
// three.
var Analyzer = &analysis.Analyzer{
	Name:       "lockset",
	Doc:        "compute the locks each function of the package takes, holds and releases",
	Requires:   []*analysis.Analyzer{buildssa.Analyzer},
	ResultType: reflect.TypeOf((*Analysis)(nil)),
	Run:        run,
}

func run(pass *analysis.Pass) (a any, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("internal error in lockset on package %s: %v (please report it with this trace)\n%s", pass.Pkg.Path(), r, debug.Stack())
		}
	}()
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	return New(ssainput.Pkg, ssainput.SrcFuncs), nil
}
