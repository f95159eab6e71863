package nocancel

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/loopexit"
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
		waits := doneReceives(pass.TypesInfo, extract(s.call, 0), map[ssa.Value]bool{}, false)
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
func doneReceives(info *types.Info, ctx ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
	if ctx == nil || seen[ctx] {
		return nil
	}
	seen[ctx] = true
	var waits []token.Pos
	for _, ref := range *ctx.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Call:
			if inGo && ref.Call.IsInvoke() && ref.Call.Method.Name() == "Done" && ref.Call.Value == ctx {
				waits = append(waits, receives(info, ref)...)
				continue
			}
			waits = append(waits, intoCallee(info, ref.Common(), ctx, seen, inGo)...)
		case *ssa.Go:
			waits = append(waits, intoCallee(info, ref.Common(), ctx, seen, true)...)
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == ctx {
					waits = append(waits, doneReceives(info, fn.FreeVars[i], seen, inGo || startedBy(ref))...)
				}
			}
		case *ssa.Store:
			// A variable closures capture lives in a cell.
			if cell, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == ctx && storedOnce(cell) {
				waits = append(waits, cellReceives(info, cell, seen, inGo)...)
			}
		}
	}
	return waits
}

// cellReceives is doneReceives for the context held by cell (an Alloc or
// a closure's free variable pointing to one).
func cellReceives(info *types.Info, cell ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
	if seen[cell] {
		return nil
	}
	seen[cell] = true
	var waits []token.Pos
	for _, ref := range *cell.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op == token.MUL {
				waits = append(waits, doneReceives(info, ref, seen, inGo)...)
			}
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == cell {
					waits = append(waits, cellReceives(info, fn.FreeVars[i], seen, inGo || startedBy(ref))...)
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
func intoCallee(info *types.Info, call *ssa.CallCommon, ctx ssa.Value, seen map[ssa.Value]bool, inGo bool) []token.Pos {
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
			waits = append(waits, doneReceives(info, callee.Params[i], seen, inGo)...)
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

// receives returns where the channel done gives is received from alone,
// as the only case of a select, or in a select of an endless loop whose
// only way out is that case (a retry loop that runs until the context
// ends): each waits, or keeps the goroutine, until the context is done.
func receives(info *types.Info, done *ssa.Call) []token.Pos {
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
				continue
			}
			for _, st := range ref.States {
				if st.Chan == done && st.Dir == types.RecvOnly && loopsUntil(info, ref, st.Pos) {
					waits = append(waits, ref.Pos())
				}
			}
		}
	}
	return waits
}

// loopsUntil reports whether sel, a select statement, is in an endless
// for loop (no condition) of its function that has no way out but the
// case of sel receiving at recv.
func loopsUntil(info *types.Info, sel *ssa.Select, recv token.Pos) bool {
	body := sel.Parent().Syntax()
	if body == nil {
		return false
	}
	var stmt *ast.SelectStmt
	var loop *ast.ForStmt
	label := ""
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if stmt != nil {
			return false
		}
		if s, ok := n.(*ast.SelectStmt); ok && s.Select == sel.Pos() {
			stmt = s
			loop, label = innermostLoop(stack)
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != body {
			return false
		}
		stack = append(stack, n)
		return true
	})
	if stmt == nil || loop == nil || loop.Cond != nil {
		return false
	}
	for _, c := range stmt.Body.List {
		cc := c.(*ast.CommClause)
		if cc.Comm != nil && cc.Comm.Pos() <= recv && recv < cc.Comm.End() {
			return !loopexit.ExitsBesides(info, loop, label, cc)
		}
	}
	return false
}

// innermostLoop returns the innermost loop of stack, the nodes around a
// statement, if it is a for statement and no function literal is in
// between, and its label.
func innermostLoop(stack []ast.Node) (*ast.ForStmt, string) {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.ForStmt:
			if i > 0 {
				if l, ok := stack[i-1].(*ast.LabeledStmt); ok {
					return n, l.Label.Name
				}
			}
			return n, ""
		case *ast.RangeStmt, *ast.FuncLit:
			return nil, ""
		}
	}
	return nil, ""
}
