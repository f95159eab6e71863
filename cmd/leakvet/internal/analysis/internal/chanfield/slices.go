package chanfield

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
)

// sliceField returns the field number i of the struct that t is, or
// points to, if it is a slice of channels that pkg declares, unexported
// (or the package is sealed).
func sliceField(pkg *types.Package, t types.Type, i int, sealed bool) *types.Var {
	v := names.StructField(t, i)
	if v == nil || (v.Exported() && !sealed) || v.Pkg() != pkg {
		return nil
	}
	s, ok := v.Type().Underlying().(*types.Slice)
	if !ok {
		return nil
	}
	if _, ok := s.Elem().Underlying().(*types.Chan); !ok {
		return nil
	}
	return v
}

// sliceAddrUses follows the address of a slice field: stores of slices
// of channels made for it, loads of its elements, and nothing else.
func (f *Field) sliceAddrUses(addr *ssa.FieldAddr, accessors map[*ssa.Function]*types.Var) {
	for _, ref := range *addr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr || !f.sliceMadeFor(ref.Val) {
				f.Escapes = true
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				f.Escapes = true
				continue
			}
			f.sliceUses(ref, accessors)
		case *ssa.DebugRef:
		default:
			f.Escapes = true
		}
	}
}

// sliceUses follows a slice read from the field to its elements, whose
// uses are the channel's; measuring it, and appending to it what is
// stored back, are fine; anything else may hand its channels out.
func (f *Field) sliceUses(val ssa.Value, accessors map[*ssa.Function]*types.Var) {
	for _, ref := range *val.Referrers() {
		switch ref := ref.(type) {
		case *ssa.IndexAddr:
			for _, use := range *ref.Referrers() {
				if load, ok := use.(*ssa.UnOp); ok && load.Op == token.MUL {
					f.valueUses(load, accessors, map[ssa.Value]bool{})
				} else if _, ok := use.(*ssa.DebugRef); !ok {
					f.Escapes = true
				}
			}
		case *ssa.Index:
			f.valueUses(ref, accessors, map[ssa.Value]bool{})
		case ssa.CallInstruction:
			switch name := builtinName(ref.Common()); {
			case name == "len" || name == "cap":
			case name == "append" && ref.Common().Args[0] == val && storedBack(ref, f.Var):
			default:
				f.Escapes = true
			}
		case *ssa.DebugRef:
		default:
			f.Escapes = true
		}
	}
}

// sliceMadeFor reports whether val, stored in the field, is nil, a slice
// literal of channels made for it, or the field's slice with such
// channels appended; and notes the makes.
func (f *Field) sliceMadeFor(val ssa.Value) bool {
	switch val := val.(type) {
	case *ssa.Const:
		return val.IsNil()
	case *ssa.Slice:
		return f.arrayMadeFor(val)
	case *ssa.Call:
		args := val.Call.Args
		if builtinName(&val.Call) != "append" || len(args) != 2 || !f.isLoadOfField(args[0]) {
			return false
		}
		s, ok := args[1].(*ssa.Slice)
		return ok && f.arrayMadeFor(s)
	}
	return false
}

// arrayMadeFor reports whether s slices a new array whose every element
// is set to a channel made for it alone, and notes the makes.
func (f *Field) arrayMadeFor(s *ssa.Slice) bool {
	arr, ok := s.X.(*ssa.Alloc)
	if !ok || len(*s.Referrers()) != 1 {
		return false
	}
	var made []*ssa.MakeChan
	for _, ref := range *arr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Slice:
			if ref != s {
				return false
			}
		case *ssa.IndexAddr:
			for _, use := range *ref.Referrers() {
				st, ok := use.(*ssa.Store)
				if !ok || st.Addr != ref {
					return false
				}
				mk, ok := st.Val.(*ssa.MakeChan)
				if !ok || len(*mk.Referrers()) != 1 {
					return false
				}
				made = append(made, mk)
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	f.Made = append(f.Made, made...)
	return true
}

// isLoadOfField reports whether v is the field's slice, loaded.
func (f *Field) isLoadOfField(v ssa.Value) bool {
	if c, ok := v.(*ssa.Const); ok {
		return c.IsNil()
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	return ok && names.StructField(fa.X.Type(), fa.Field) == f.Var
}

// storedBack reports whether the result of call, an append, is only
// stored into the field v.
func storedBack(call ssa.CallInstruction, v *types.Var) bool {
	val := call.Value()
	if val == nil {
		return false
	}
	for _, ref := range *val.Referrers() {
		st, ok := ref.(*ssa.Store)
		if !ok || st.Val != val {
			if _, ok := ref.(*ssa.DebugRef); ok {
				continue
			}
			return false
		}
		fa, ok := st.Addr.(*ssa.FieldAddr)
		if !ok || names.StructField(fa.X.Type(), fa.Field) != v {
			return false
		}
	}
	return true
}

// builtinName returns the name of the builtin call calls, or "".
func builtinName(call *ssa.CallCommon) string {
	if b, ok := call.Value.(*ssa.Builtin); ok {
		return b.Name()
	}
	return ""
}
