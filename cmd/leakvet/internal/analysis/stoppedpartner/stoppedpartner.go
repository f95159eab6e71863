package stoppedpartner

import (
	_ "embed"
	"fmt"
	"go/ast"
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

// Analyzer reports sends and receives whose only partner is a loop that
// can return.
var Analyzer = &analysis.Analyzer{
	Name:     "stoppedpartner",
	Doc:      docstring.FromDocGo(doc, "stoppedpartner"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/stoppedpartner",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	started := goroutines(ssainput.SrcFuncs)
	r := lockset.NewReporter(pass)
	for v, f := range chanfield.Find(pass.Pkg, ssainput.SrcFuncs) {
		if f.Escapes || len(f.Made) == 0 || !unbuffered(f.Made) || len(f.Closes) > 0 {
			continue
		}
		// ops are the operations alone of one direction; the loop holds
		// every operation of the other, each a case of a select.
		var ops []ssa.Instruction
		var dir types.ChanDir
		switch {
		case len(f.Recvs) == 0 && len(f.Sends) > 0:
			for _, s := range f.Sends {
				ops = append(ops, s)
			}
			dir = types.RecvOnly
		case len(f.Sends) == 0 && len(f.Recvs) > 0:
			for _, r := range f.Recvs {
				ops = append(ops, r)
			}
			dir = types.SendOnly
		default:
			continue
		}
		loop, exit := partnerLoop(f, dir)
		if loop == nil || !started[loop] {
			continue
		}
		for _, op := range ops {
			if root(op.Parent()) == loop || f.Shared[op.Parent()] {
				continue
			}
			what, partner := "send on", "receiver"
			if dir == types.SendOnly {
				what, partner = "receive from", "sender"
			}
			r.Report(analysis.Diagnostic{Pos: op.Pos(), Message: fmt.Sprintf(
				"%s `%s` blocks forever once `%s`, its only %s, has returned (%s): select on what stops it too",
				what, names.Field(v), loop.RelString(pass.Pkg), partner, lockset.Where(pass.Fset, exit))})
		}
	}
	return nil, nil
}

// unbuffered reports whether every make is of an unbuffered channel.
func unbuffered(made []*ssa.MakeChan) bool {
	for _, mk := range made {
		size, ok := mk.Size.(*ssa.Const)
		if !ok || size.Value == nil || constant.Sign(size.Value) != 0 {
			return false
		}
	}
	return true
}

// partnerLoop returns the one function whose selects operate on f in
// direction dir, and the return that ends it, if no other function's
// select does, and each of those selects is in a loop and has another
// case that returns. Cases of the other direction compete with the
// operations reported and are no partners of theirs.
func partnerLoop(f *chanfield.Field, dir types.ChanDir) (*ssa.Function, token.Pos) {
	var loop *ssa.Function
	exit := token.NoPos
	for _, c := range f.Selects {
		fn := c.Select.Parent()
		if c.Select.States[c.Index].Dir != dir {
			continue // an operation of the same direction: no partner
		}
		if loop != nil && fn != loop {
			return nil, token.NoPos
		}
		loop = fn
		ret := returningCase(fn, c.Select.Pos(), c.Select.States[c.Index].Pos)
		if !ret.IsValid() {
			return nil, token.NoPos
		}
		exit = ret
	}
	return loop, exit
}

// returningCase finds, in fn's syntax, the select statement at pos
// within a loop, and returns a return statement in one of its cases
// other than the one receiving at recv.
func returningCase(fn *ssa.Function, pos, recv token.Pos) token.Pos {
	body := fn.Syntax()
	if body == nil {
		return token.NoPos
	}
	var sel *ast.SelectStmt
	inLoop := false
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if s, ok := n.(*ast.SelectStmt); ok && s.Select == pos {
			sel, inLoop = s, loopAround(stack)
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != body {
			return false
		}
		stack = append(stack, n)
		return true
	})
	if sel == nil || !inLoop {
		return token.NoPos
	}
	for _, s := range sel.Body.List {
		cc := s.(*ast.CommClause)
		if cc.Comm != nil && cc.Comm.Pos() <= recv && recv < cc.Comm.End() {
			continue
		}
		if ret := firstReturn(cc); ret.IsValid() {
			return ret
		}
	}
	return token.NoPos
}

// loopAround reports whether the innermost loop or function literal of
// stack, the nodes around a statement, is a loop.
func loopAround(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncLit:
			return false
		}
	}
	return false
}

// firstReturn returns the first return statement of n outside function
// literals.
func firstReturn(n ast.Node) token.Pos {
	pos := token.NoPos
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if !pos.IsValid() {
				pos = n.Pos()
			}
		}
		return !pos.IsValid()
	})
	return pos
}

// goroutines returns the functions funcs start in new goroutines (with
// go statements, with the Go methods of sync.WaitGroup and errgroup, or
// by passing them to a function of the package that starts its argument
// so: a worker runner, go func() { defer done(); f() }()), and those
// these call directly.
func goroutines(funcs []*ssa.Function) map[*ssa.Function]bool {
	started := map[*ssa.Function]bool{}
	inGoroutine := map[*ssa.Function]bool{}
	runners := map[*ssa.Function]map[int]bool{} // the function parameters each function starts
	for _, fn := range funcs {
		for i, p := range fn.Params {
			if startsParam(p, map[ssa.Value]bool{}) {
				if runners[fn] == nil {
					runners[fn] = map[int]bool{}
				}
				runners[fn][i] = true
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Go:
					if callee := instr.Call.StaticCallee(); callee != nil {
						started[callee] = true
					}
				case *ssa.Call:
					callee := instr.Call.StaticCallee()
					if callee == nil {
						continue
					}
					for i, a := range instr.Call.Args {
						if runners[callee][i] || (i == 1 && isGoMethod(callee)) {
							if f := funcOf(a); f != nil {
								started[f] = true
							}
						}
					}
				}
			}
		}
	}
	// A function a goroutine's function calls runs in that goroutine.
	for fn := range started {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(*ssa.Call); ok {
					if callee := call.Call.StaticCallee(); callee != nil {
						inGoroutine[callee] = true
					}
				}
			}
		}
	}
	for fn := range inGoroutine {
		started[fn] = true
	}
	return started
}

// startsParam reports whether the function value v is run in a new
// goroutine: go v(), or go func() { ... v() ... }().
func startsParam(v ssa.Value, seen map[ssa.Value]bool) bool {
	if seen[v] {
		return false
	}
	seen[v] = true
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Go:
			if ref.Call.Value == v {
				return true
			}
		case *ssa.MakeClosure:
			if !startedClosure(ref) {
				continue
			}
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == v && calls(fn.FreeVars[i]) {
					return true
				}
			}
		case *ssa.Store:
			// A variable closures capture lives in a cell.
			if cell, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == v && startsParam(cell, seen) {
				return true
			}
		}
	}
	return false
}

// startedClosure reports whether mc is the function of a go statement.
func startedClosure(mc *ssa.MakeClosure) bool {
	for _, ref := range *mc.Referrers() {
		if g, ok := ref.(*ssa.Go); ok && g.Call.Value == mc {
			return true
		}
	}
	return false
}

// calls reports whether the function value v, or the one the cell v
// points to, is called.
func calls(v ssa.Value) bool {
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case ssa.CallInstruction:
			if ref.Common().Value == v {
				return true
			}
		case *ssa.UnOp:
			if ref.Op == token.MUL && calls(ref) {
				return true
			}
		}
	}
	return false
}

// funcOf returns the function v is, directly or as a closure.
func funcOf(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	}
	return nil
}

// isGoMethod reports whether fn is the Go method of sync.WaitGroup or of
// errgroup.Group, which runs its argument in a new goroutine.
func isGoMethod(fn *ssa.Function) bool {
	recv := fn.Signature.Recv()
	if recv == nil || fn.Name() != "Go" {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	path := n.Obj().Pkg().Path() + "." + n.Obj().Name()
	return path == "sync.WaitGroup" || path == "golang.org/x/sync/errgroup.Group"
}

// root returns the function fn's closures are in.
func root(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}
