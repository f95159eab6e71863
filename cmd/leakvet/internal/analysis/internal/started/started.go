// Package started finds the functions of a package that run in
// goroutines of their own: what a go statement, a WaitGroup's or an
// errgroup's Go, or a worker runner of the package starts, and what
// those call.
package started

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Functions returns the functions funcs start in new goroutines (with
// go statements, with the Go methods of sync.WaitGroup and errgroup, or
// by passing them to a function of the package that starts its argument
// so: a worker runner, go func() { defer done(); f() }()), and those
// these call directly.
func Functions(funcs []*ssa.Function) map[*ssa.Function]bool {
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
