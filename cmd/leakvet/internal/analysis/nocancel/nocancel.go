package nocancel

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/sealed"
)

//go:embed doc.go
var doc string

// Analyzer reports contexts whose cancel function, kept in an unexported
// field, is never called.
var Analyzer = &analysis.Analyzer{
	Name:     "nocancel",
	Doc:      docstring.FromDocGo(doc, "nocancel"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/nocancel",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

// A stored cancel is a call making a context whose cancel function goes
// straight into a field.
type storedCancel struct {
	call  *ssa.Call
	field *types.Var
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	read := map[*types.Var]bool{} // fields some code loads
	var stored []storedCancel
	closed := sealed.Package(pass.Pkg.Name(), ssainput.SrcFuncs)
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.FieldAddr:
					if v := names.StructField(instr.X.Type(), instr.Field); v != nil && !onlyStored(instr) {
						read[v] = true
					}
				case *ssa.Field:
					if v := names.StructField(instr.X.Type(), instr.Field); v != nil {
						read[v] = true
					}
				case *ssa.Call:
					if v := cancelField(pass.Pkg, instr, closed); v != nil {
						stored = append(stored, storedCancel{instr, v})
					}
				}
			}
		}
	}
	r := lockset.NewReporter(pass)
	for _, s := range stored {
		if read[s.field] {
			checkDropped(pass, r, ssainput.Pkg, ssainput.SrcFuncs, s)
			continue
		}
		waits := doneReceives(extract(s.call, 0), map[ssa.Value]bool{}, false)
		for _, pos := range waits {
			r.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"receive from Done waits until the parent context ends: the context's cancel function, kept in `%s` (%s), is never called",
				names.Field(s.field), lockset.Where(pass.Fset, s.call.Pos()))})
		}
		if len(waits) == 0 {
			r.Report(analysis.Diagnostic{Pos: s.call.Pos(), Message: fmt.Sprintf(
				"the cancel function of this context is kept in `%s`, which nothing reads: the context is never cancelled (call it when done, as in a Close method)",
				names.Field(s.field))})
		}
	}
	return nil, nil
}

// cancelField returns the unexported field of the package to which call,
// a context.WithCancel, WithCancelCause, WithTimeout or WithDeadline,
// gives its cancel function and nothing else (an exported one too when
// the package is sealed).
func cancelField(pkg *types.Package, call *ssa.Call, sealed bool) *types.Var {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" {
		return nil
	}
	switch callee.Name() {
	case "WithCancel", "WithCancelCause", "WithTimeout", "WithDeadline":
	default:
		return nil
	}
	cancel := extract(call, 1)
	if cancel == nil || len(*cancel.Referrers()) != 1 {
		return nil
	}
	store, ok := (*cancel.Referrers())[0].(*ssa.Store)
	if !ok {
		return nil
	}
	fa, ok := store.Addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	v := names.StructField(fa.X.Type(), fa.Field)
	if v == nil || (v.Exported() && !sealed) || v.Pkg() != pkg {
		return nil
	}
	return v
}

// extract returns the value call gives as its result number i, if used.
func extract(call *ssa.Call, i int) ssa.Value {
	for _, ref := range *call.Referrers() {
		if e, ok := ref.(*ssa.Extract); ok && e.Index == i {
			return e
		}
	}
	return nil
}

// onlyStored reports whether the field address addr is only stored to.
func onlyStored(addr *ssa.FieldAddr) bool {
	for _, ref := range *addr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// doneReceives returns the receives from ctx.Done() in the goroutines
// ctx is given to (inGo: ctx is already in one), following it into the
// package's functions and closures.
func doneReceives(ctx ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
	if ctx == nil || seen[ctx] {
		return nil
	}
	seen[ctx] = true
	var waits []token.Pos
	for _, ref := range *ctx.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Call:
			if inGo && ref.Call.IsInvoke() && ref.Call.Method.Name() == "Done" && ref.Call.Value == ctx {
				waits = append(waits, receives(ref)...)
				continue
			}
			waits = append(waits, intoCallee(ref.Common(), ctx, seen, inGo)...)
		case *ssa.Go:
			waits = append(waits, intoCallee(ref.Common(), ctx, seen, true)...)
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == ctx {
					waits = append(waits, doneReceives(fn.FreeVars[i], seen, inGo || startedBy(ref))...)
				}
			}
		case *ssa.Store:
			// A variable closures capture lives in a cell.
			if cell, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == ctx && storedOnce(cell) {
				waits = append(waits, cellReceives(cell, seen, inGo)...)
			}
		}
	}
	return waits
}

// cellReceives is doneReceives for the context held by cell (an Alloc or
// a closure's free variable pointing to one).
func cellReceives(cell ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
	if seen[cell] {
		return nil
	}
	seen[cell] = true
	var waits []token.Pos
	for _, ref := range *cell.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op == token.MUL {
				waits = append(waits, doneReceives(ref, seen, inGo)...)
			}
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == cell {
					waits = append(waits, cellReceives(fn.FreeVars[i], seen, inGo || startedBy(ref))...)
				}
			}
		}
	}
	return waits
}

// storedOnce reports whether cell is assigned once: the context it is
// given is the one its loads read.
func storedOnce(cell *ssa.Alloc) bool {
	n := 0
	for _, ref := range *cell.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == cell {
			n++
		}
	}
	return n == 1
}

// intoCallee follows ctx into the parameters of call's callee, when it
// is a function of the package.
func intoCallee(call *ssa.CallCommon, ctx ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
	callee := call.StaticCallee()
	if callee == nil || callee.Blocks == nil || call.IsInvoke() {
		return nil
	}
	if mc, ok := call.Value.(*ssa.MakeClosure); ok && !inGo {
		inGo = startedBy(mc)
	}
	var waits []token.Pos
	for i, a := range call.Args {
		if a == ctx && i < len(callee.Params) {
			waits = append(waits, doneReceives(callee.Params[i], seen, inGo)...)
		}
	}
	return waits
}

// startedBy reports whether the closure mc is the function of a go
// statement.
func startedBy(mc *ssa.MakeClosure) bool {
	for _, ref := range *mc.Referrers() {
		if g, ok := ref.(*ssa.Go); ok && g.Call.Value == mc {
			return true
		}
	}
	return false
}

// receives returns where the channel done gives is received from alone
// or as the only case of a select.
func receives(done *ssa.Call) []token.Pos {
	var waits []token.Pos
	for _, ref := range *done.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op == token.ARROW {
				waits = append(waits, ref.Pos())
			}
		case *ssa.Select:
			if ref.Blocking && len(ref.States) == 1 {
				waits = append(waits, ref.States[0].Pos)
			}
		}
	}
	return waits
}
