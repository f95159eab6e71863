package nodone

import (
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
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

// A group is what the package does with one WaitGroup.
type group struct {
	name    string
	add     token.Pos   // an Add of a positive constant
	waits   []token.Pos // its Wait calls
	done    bool        // something may call Done (or Add a negative count)
	escapes bool        // it goes where the analyzer does not look
	seen    map[ssa.Value]bool
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	fields := map[*types.Var]*group{}
	var locals []*group
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.FieldAddr:
					v := names.StructField(instr.X.Type(), instr.Field)
					if v == nil || !isWaitGroup(v.Type()) || v.Exported() || v.Pkg() != pass.Pkg {
						continue
					}
					g := fields[v]
					if g == nil {
						g = &group{name: names.Field(v), seen: map[ssa.Value]bool{}}
						fields[v] = g
					}
					g.uses(instr)
				case *ssa.Alloc:
					if isWaitGroup(instr.Type().(*types.Pointer).Elem()) {
						g := &group{name: localName(instr), seen: map[ssa.Value]bool{}}
						g.uses(instr)
						locals = append(locals, g)
					}
				}
			}
		}
	}
	r := lockset.NewReporter(pass)
	report := func(g *group) {
		if g.done || g.escapes || !g.add.IsValid() {
			return
		}
		for _, w := range g.waits {
			r.Report(analysis.Diagnostic{Pos: w, Message: fmt.Sprintf(
				"Wait blocks forever once Add has run (%s): nothing calls Done on `%s`",
				lockset.Where(pass.Fset, g.add), g.name)})
		}
	}
	for _, g := range fields {
		report(g)
	}
	for _, g := range locals {
		report(g)
	}
	return nil, nil
}

// uses follows ptr, a *sync.WaitGroup, to the method calls made on it.
func (g *group) uses(ptr ssa.Value) {
	if g.seen[ptr] {
		return
	}
	g.seen[ptr] = true
	for _, ref := range *ptr.Referrers() {
		switch ref := ref.(type) {
		case ssa.CallInstruction:
			g.call(ref.Common(), ptr)
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == ptr {
					g.uses(fn.FreeVars[i])
				}
			}
		case *ssa.DebugRef:
		default:
			g.escapes = true // copied, stored, converted
		}
	}
}

// call notes what call does with the group ptr points to.
func (g *group) call(call *ssa.CallCommon, ptr ssa.Value) {
	callee := call.StaticCallee()
	if callee == nil || call.IsInvoke() {
		g.escapes = true
		return
	}
	if recv := callee.Signature.Recv(); recv != nil && isWaitGroup(recv.Type()) && call.Args[0] == ptr {
		switch callee.Name() {
		case "Add":
			if n, ok := call.Args[1].(*ssa.Const); ok && n.Value != nil && constant.Sign(n.Value) > 0 {
				g.add = call.Pos()
			} else {
				g.done = true
			}
		case "Wait":
			g.waits = append(g.waits, call.Pos())
		default: // Done, Go
			g.done = true
		}
		for _, a := range call.Args[1:] {
			if a == ptr {
				g.escapes = true
			}
		}
		return
	}
	if callee.Pkg == nil || callee.Pkg.Pkg != ptrPkg(ptr) || callee.Blocks == nil {
		g.escapes = true
		return
	}
	for i, a := range call.Args {
		if a == ptr {
			g.uses(callee.Params[i])
		}
	}
}

// ptrPkg returns the package of the function ptr belongs to.
func ptrPkg(ptr ssa.Value) *types.Package {
	if fn := ptr.Parent(); fn != nil && fn.Pkg != nil {
		return fn.Pkg.Pkg
	}
	return nil
}

// isWaitGroup reports whether t is sync.WaitGroup or a pointer to it.
func isWaitGroup(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "WaitGroup"
}

// localName names the WaitGroup variable alloc allocates.
func localName(alloc *ssa.Alloc) string {
	if alloc.Comment != "" {
		return alloc.Comment
	}
	return "the WaitGroup"
}
