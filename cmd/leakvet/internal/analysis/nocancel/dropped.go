package nocancel

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
)

// maxFollow bounds how deep a value is followed into the functions it is
// given: enough for a method calling a helper that calls the cancel.
const maxFollow = 6

// An owner is a value that holds a context's cancel function in one of
// its fields (the struct whose Close or Stop cancels it), as it flows
// through the package's functions.
type owner struct {
	info   *types.Info
	pkg    *ssa.Package
	cancel *types.Var // the field holding the cancel function
	ctx    *types.Var // the field holding the context, or nil
	// cancelled and kept memoise, by value, whether its flow calls the
	// cancel function and whether it goes where others may call it.
	cancelled map[ssa.Value]bool
	kept      map[ssa.Value]bool
}

// checkDropped reports the goroutines left waiting on the context made
// by s.call when the object holding its cancel function is dropped
// without it being called: made in a function that neither cancels it,
// returns it nor hands it over, or returned to a caller of the package
// that discards it. The parent of the context must never end
// (context.Background or TODO, directly or given by the dropping call),
// and the context must be one only its cancel function ends
// (WithCancel, WithCancelCause).
func checkDropped(pass *analysis.Pass, r *lockset.Reporter, pkg *ssa.Package, funcs []*ssa.Function, s storedCancel) {
	callee := s.call.Call.StaticCallee()
	if name := callee.Name(); name != "WithCancel" && name != "WithCancelCause" {
		return
	}
	store := (*extract(s.call, 1).Referrers())[0].(*ssa.Store)
	obj, ok := made(store.Addr.(*ssa.FieldAddr).X).(*ssa.Alloc)
	if !ok || !obj.Heap {
		return
	}
	o := &owner{info: pass.TypesInfo, pkg: pkg, cancel: s.field, ctx: ctxField(s.call), cancelled: map[ssa.Value]bool{}, kept: map[ssa.Value]bool{}}
	if o.ctx == nil || o.isCancelled(obj, maxFollow) || o.isKept(obj, maxFollow, true) {
		return
	}
	maker := obj.Parent()
	parent := s.call.Call.Args[0]
	var drop string
	if returned(obj) {
		drop = o.droppedByCaller(funcs, maker, parent)
	} else if neverEnds(parent) {
		drop = fmt.Sprintf("`%s` drops it when it returns", maker.RelString(pkg.Pkg))
	}
	if drop == "" {
		return
	}
	for _, pos := range o.waits(obj, false, maxFollow, map[ssa.Value]bool{}) {
		r.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"receive from Done blocks forever: the context's cancel function, kept in `%s` (%s), is never called on this %s: %s",
			names.Field(s.field), lockset.Where(pass.Fset, s.call.Pos()), types.TypeString(obj.Type().(*types.Pointer).Elem(), types.RelativeTo(pkg.Pkg)), drop)})
	}
}

// made returns the value v is: v itself, or what a variable v is loaded
// from holds, when it is assigned once.
func made(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	cell, ok := load.X.(*ssa.Alloc)
	if !ok || !storedOnce(cell) {
		return v
	}
	for _, ref := range *cell.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == cell {
			return st.Val
		}
	}
	return v
}

// ctxField returns the field of the same struct the context of call is
// stored in, if it is stored straight into one.
func ctxField(call *ssa.Call) *types.Var {
	ctx := extract(call, 0)
	if ctx == nil {
		return nil
	}
	for _, ref := range *ctx.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Val == ctx {
			if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
				return names.StructField(fa.X.Type(), fa.Field)
			}
		}
	}
	return nil
}

// returned reports whether the function that makes obj returns it.
func returned(obj ssa.Value) bool {
	for _, ref := range *obj.Referrers() {
		if _, ok := ref.(*ssa.Return); ok {
			return true
		}
	}
	return false
}

// neverEnds reports whether ctx is context.Background() or TODO().
func neverEnds(ctx ssa.Value) bool {
	call, ok := ctx.(*ssa.Call)
	if !ok {
		return false
	}
	fn := call.Call.StaticCallee()
	return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "context" && (fn.Name() == "Background" || fn.Name() == "TODO")
}

// droppedByCaller describes a call of maker, a function of the package
// returning the owner alone, whose result is unused, when the parent
// context, given by that call or made in maker, never ends; or "".
func (o *owner) droppedByCaller(funcs []*ssa.Function, maker *ssa.Function, parent ssa.Value) string {
	if maker.Signature.Results().Len() != 1 {
		return ""
	}
	param := -1
	if p, ok := parent.(*ssa.Parameter); ok {
		for i, q := range maker.Params {
			if q == p {
				param = i
			}
		}
	}
	if param < 0 && !neverEnds(parent) {
		return ""
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || call.Call.StaticCallee() != maker || len(*call.Referrers()) > 0 {
					continue
				}
				if param >= 0 && (param >= len(call.Call.Args) || !neverEnds(call.Call.Args[param])) {
					continue
				}
				return fmt.Sprintf("`%s` drops `%s`'s result at %s",
					fn.RelString(o.pkg.Pkg), maker.RelString(o.pkg.Pkg), lockset.Where(o.pkg.Prog.Fset, call.Pos()))
			}
		}
	}
	return ""
}

// isCancelled reports whether v's flow calls its cancel field: in
// place, deferred, or in a function of the package given v.
func (o *owner) isCancelled(v ssa.Value, depth int) bool {
	if c, ok := o.cancelled[v]; ok {
		return c
	}
	o.cancelled[v] = false // a cycle adds nothing
	c := false
	if depth > 0 {
		o.each(v, func(fa *ssa.FieldAddr) {
			if names.StructField(fa.X.Type(), fa.Field) == o.cancel && !onlyStored(fa) {
				c = true
			}
		}, func(param ssa.Value) {
			c = c || o.isCancelled(param, depth-1)
		})
	}
	o.cancelled[v] = c
	return c
}

// isKept reports whether v goes where code out of view may call its
// cancel function: stored, sent, converted, returned (but by the maker
// itself when atMaker), or given to a function the package cannot see.
func (o *owner) isKept(v ssa.Value, depth int, atMaker bool) bool {
	if k, ok := o.kept[v]; ok {
		return k
	}
	o.kept[v] = false
	k := depth == 0
	for _, ref := range *v.Referrers() {
		if k {
			break
		}
		switch ref := ref.(type) {
		case *ssa.FieldAddr, *ssa.DebugRef:
		case *ssa.Return:
			k = !atMaker
		case *ssa.Store:
			if cell := cellOf(ref, v); cell != nil {
				k = o.isKept(cell, depth-1, atMaker)
			} else {
				k = ref.Addr != v
			}
		case *ssa.UnOp:
			k = ref.Op != token.MUL || o.isKept(ref, depth-1, atMaker)
		case ssa.CallInstruction:
			for _, param := range o.receivers(ref.Common(), v) {
				k = k || param == nil || o.isKept(param, depth-1, false)
			}
		case *ssa.MakeClosure:
			k = !onlyRun(ref)
			for i, b := range ref.Bindings {
				if b == v && !k {
					k = o.isKept(ref.Fn.(*ssa.Function).FreeVars[i], depth-1, false)
				}
			}
		default:
			k = true
		}
	}
	o.kept[v] = k
	return k
}

// each calls field for the field addresses taken on v and into for the
// parameters and free variables v is given to in the package.
func (o *owner) each(v ssa.Value, field func(*ssa.FieldAddr), into func(ssa.Value)) {
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			field(ref)
		case *ssa.Store:
			if cell := cellOf(ref, v); cell != nil {
				into(cell)
			}
		case *ssa.UnOp:
			if ref.Op == token.MUL {
				into(ref)
			}
		case ssa.CallInstruction:
			for _, param := range o.receivers(ref.Common(), v) {
				if param != nil {
					into(param)
				}
			}
		case *ssa.MakeClosure:
			for i, b := range ref.Bindings {
				if b == v {
					into(ref.Fn.(*ssa.Function).FreeVars[i])
				}
			}
		}
	}
}

// receivers returns the parameters of call's callee that v is given to,
// nil for each the package cannot see.
func (o *owner) receivers(call *ssa.CallCommon, v ssa.Value) []ssa.Value {
	var ps []ssa.Value
	callee := call.StaticCallee()
	if call.Value == v {
		return []ssa.Value{nil}
	}
	for i, a := range call.Args {
		if a != v {
			continue
		}
		if callee == nil || callee.Blocks == nil || callee.Pkg != o.pkg || call.IsInvoke() || i >= len(callee.Params) {
			ps = append(ps, nil)
			continue
		}
		ps = append(ps, callee.Params[i])
	}
	if mc, ok := call.Value.(*ssa.MakeClosure); ok {
		for i, b := range mc.Bindings {
			if b == v {
				ps = append(ps, mc.Fn.(*ssa.Function).FreeVars[i])
			}
		}
	}
	return ps
}

// cellOf returns the variable store puts v in when it is the only value
// ever put there (a local that closures capture lives in such a cell):
// its loads are v.
func cellOf(store *ssa.Store, v ssa.Value) *ssa.Alloc {
	cell, ok := store.Addr.(*ssa.Alloc)
	if !ok || store.Val != v || !storedOnce(cell) {
		return nil
	}
	return cell
}

// onlyRun reports whether the closure mc is only called, deferred or
// started, never kept as a value.
func onlyRun(mc *ssa.MakeClosure) bool {
	for _, ref := range *mc.Referrers() {
		c, ok := ref.(ssa.CallInstruction)
		if !ok || c.Common().Value != mc {
			if _, ok := ref.(*ssa.DebugRef); !ok {
				return false
			}
		}
	}
	return true
}

// waits returns the receives from Done of v's context field, alone or as
// the only case of a select, in goroutines v is given to (inGo: v is in
// one already).
func (o *owner) waits(v ssa.Value, inGo bool, depth int, seen map[ssa.Value]bool) []token.Pos {
	if depth == 0 || seen[v] {
		return nil
	}
	seen[v] = true
	var ws []token.Pos
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if !inGo || names.StructField(ref.X.Type(), ref.Field) != o.ctx {
				continue
			}
			for _, load := range *ref.Referrers() {
				if l, ok := load.(*ssa.UnOp); ok && l.Op == token.MUL {
					for _, call := range *l.Referrers() {
						if c, ok := call.(*ssa.Call); ok && c.Call.IsInvoke() && c.Call.Value == l && c.Call.Method.Name() == "Done" {
							ws = append(ws, receives(o.info, c)...)
						}
					}
				}
			}
		case *ssa.Store:
			if cell := cellOf(ref, v); cell != nil {
				ws = append(ws, o.waits(cell, inGo, depth-1, seen)...)
			}
		case *ssa.UnOp:
			if ref.Op == token.MUL {
				ws = append(ws, o.waits(ref, inGo, depth-1, seen)...)
			}
		case ssa.CallInstruction:
			_, isGo := ref.(*ssa.Go)
			for _, param := range o.receivers(ref.Common(), v) {
				if param != nil {
					ws = append(ws, o.waits(param, inGo || isGo, depth-1, seen)...)
				}
			}
		case *ssa.MakeClosure:
			for i, b := range ref.Bindings {
				if b == v {
					ws = append(ws, o.waits(ref.Fn.(*ssa.Function).FreeVars[i], inGo || startedBy(ref), depth-1, seen)...)
				}
			}
		}
	}
	return ws
}
