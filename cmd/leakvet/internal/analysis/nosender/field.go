package nosender

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
)

// A fieldChan is what the package does with the channels of one
// unexported struct field.
type fieldChan struct {
	made     token.Pos   // a make whose channel is stored in the field
	receives []token.Pos // receives that block until someone sends or closes
	escapes  bool        // sent on, closed, or out of view
}

// checkFields reports the receives from channel fields that the package
// only ever receives from. The field is unexported, so only this package
// can reach it; the channels stored in it are made for it and nothing
// else; every value read from it is received from, compared, measured,
// or handed out as a receive-only channel (a `Done() <-chan struct{}`
// accessor). Then nothing can ever send on it or close it, and a
// receive that waits for nothing else blocks forever.
func checkFields(pass *analysis.Pass, r *lockset.Reporter, funcs []*ssa.Function) {
	fields := map[*types.Var]*fieldChan{}
	get := func(v *types.Var) *fieldChan {
		f := fields[v]
		if f == nil {
			f = &fieldChan{}
			fields[v] = f
		}
		return f
	}
	// accessors maps the functions that return a field's channel,
	// receive-only, to the field: their calls read it too.
	accessors := map[*ssa.Function]*types.Var{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.FieldAddr:
					if v := chanField(pass.Pkg, instr.X.Type(), instr.Field); v != nil {
						fieldAddrUses(get(v), instr, accessors, v)
					}
				case *ssa.Field:
					if v := chanField(pass.Pkg, instr.X.Type(), instr.Field); v != nil {
						valueUses(get(v), instr, accessors, v, map[ssa.Value]bool{})
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				if v, ok := accessors[callee]; ok {
					if !onlyReturns(callee, v) {
						get(v).escapes = true
						continue
					}
					valueUses(get(v), call, accessors, v, map[ssa.Value]bool{})
				}
			}
		}
	}
	for v, f := range fields {
		if f.escapes || !f.made.IsValid() {
			continue
		}
		for _, pos := range f.receives {
			r.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"receive blocks forever: nothing sends on `%s` or closes it (made at %s; the package only receives from it)",
				names.Field(v), lockset.Where(pass.Fset, f.made))})
		}
	}
}

// chanField returns the unexported channel field number i of the struct
// that t is, or points to, if this package declares it.
func chanField(pkg *types.Package, t types.Type, i int) *types.Var {
	v := names.StructField(t, i)
	if v == nil {
		return nil
	}
	if _, ok := v.Type().Underlying().(*types.Chan); !ok || v.Exported() || v.Pkg() != pkg {
		return nil
	}
	return v
}

// fieldAddrUses follows the uses of the address of a channel field: a
// store of a channel made for it, loads, and nothing else.
func fieldAddrUses(f *fieldChan, addr *ssa.FieldAddr, accessors map[*ssa.Function]*types.Var, v *types.Var) {
	for _, ref := range *addr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr || !madeFor(f, ref, v) {
				f.escapes = true
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				f.escapes = true
				continue
			}
			valueUses(f, ref, accessors, v, map[ssa.Value]bool{})
		case *ssa.DebugRef:
		default:
			f.escapes = true
		}
	}
}

// madeFor reports whether store puts in the field nil or a channel made
// only for it, and notes where it was made.
func madeFor(f *fieldChan, store *ssa.Store, v *types.Var) bool {
	switch val := store.Val.(type) {
	case *ssa.Const:
		return val.IsNil()
	case *ssa.MakeChan:
		for _, ref := range *val.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				if ref.Val != val {
					return false
				}
				fa, ok := ref.Addr.(*ssa.FieldAddr)
				if !ok || chanField(v.Pkg(), fa.X.Type(), fa.Field) != v {
					return false
				}
			case *ssa.DebugRef:
			default:
				return false
			}
		}
		f.made = val.Pos()
		return true
	}
	return false
}

// valueUses follows a channel read from the field: receives are noted,
// and any use that could send, close or hand it out as a channel others
// may send on marks the field as escaping.
func valueUses(f *fieldChan, val ssa.Value, accessors map[*ssa.Function]*types.Var, v *types.Var, seen map[ssa.Value]bool) {
	if seen[val] {
		return
	}
	seen[val] = true
	for _, ref := range *val.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.ARROW {
				f.escapes = true
				continue
			}
			f.receives = append(f.receives, ref.Pos())
		case *ssa.Select:
			for _, st := range ref.States {
				if st.Chan != val {
					continue
				}
				if st.Dir != types.RecvOnly {
					f.escapes = true
				} else if ref.Blocking && len(ref.States) == 1 {
					f.receives = append(f.receives, st.Pos)
				}
			}
		case *ssa.ChangeType:
			valueUses(f, ref, accessors, v, seen)
		case *ssa.BinOp:
			// compared with nil
		case *ssa.Return:
			fn := ref.Parent()
			for i, res := range ref.Results {
				if res != val {
					continue
				}
				ch, ok := fn.Signature.Results().At(i).Type().Underlying().(*types.Chan)
				if !ok || ch.Dir() != types.RecvOnly || fn.Signature.Results().Len() != 1 {
					f.escapes = true
					continue
				}
				if w, ok := accessors[fn]; ok && w != v {
					f.escapes = true // returns either of two fields
				}
				accessors[fn] = v
			}
		case *ssa.Call:
			if !lenOrCap(ref, val) {
				f.escapes = true
			}
		case *ssa.DebugRef:
		default:
			f.escapes = true
		}
	}
}

// onlyReturns reports whether every return of fn returns nil or the
// channel of field v: a receive from its result is a receive from v.
func onlyReturns(fn *ssa.Function, v *types.Var) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		if !isFieldValue(ret.Results[0], v) {
			return false
		}
	}
	return true
}

// isFieldValue reports whether val is nil or read from field v.
func isFieldValue(val ssa.Value, v *types.Var) bool {
	switch val := val.(type) {
	case *ssa.Const:
		return val.IsNil()
	case *ssa.ChangeType:
		return isFieldValue(val.X, v)
	case *ssa.Field:
		return chanField(v.Pkg(), val.X.Type(), val.Field) == v
	case *ssa.UnOp:
		fa, ok := val.X.(*ssa.FieldAddr)
		return ok && val.Op == token.MUL && chanField(v.Pkg(), fa.X.Type(), fa.Field) == v
	}
	return false
}

// lenOrCap reports whether call is len(val) or cap(val).
func lenOrCap(call *ssa.Call, val ssa.Value) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	return ok && (b.Name() == "len" || b.Name() == "cap") && call.Call.Args[0] == val
}
