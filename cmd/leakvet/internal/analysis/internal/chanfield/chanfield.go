// Package chanfield finds every use a package makes of the channels its
// unexported struct fields hold: the fields no other package can reach,
// whose senders and receivers are therefore all in sight.
package chanfield

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/sealed"
)

// A Field is what the package does with the channels of one unexported
// struct field, every value of the struct together: a channel field, or a
// slice of channels (whose elements are then the field's channels).
type Field struct {
	Var    *types.Var
	sealed bool            // the package's exported fields are private too
	Made   []*ssa.MakeChan // the makes whose channels are stored in the field
	// Recvs are the receives alone (<-f, range f); Sends the sends alone.
	Recvs []*ssa.UnOp
	Sends []*ssa.Send
	// Selects are the select statements with a case on the field.
	Selects []Case
	Closes  []token.Pos
	// Shared holds the functions given the field's channel as an
	// argument: their operations on it may be on other channels too.
	Shared map[*ssa.Function]bool
	// Escapes reports whether a channel of the field goes out of view:
	// a channel not made for it stored in it, or one read from it passed,
	// stored, converted, or returned as a channel others may send on.
	Escapes bool
}

// A Case is a case of a select on the field's channel.
type Case struct {
	Select *ssa.Select
	Index  int
}

// Find returns the channel fields that funcs, the functions of pkg, use.
// A function that returns a field's channel receive-only, and nothing
// else (a `Done() <-chan struct{}` accessor), is followed to its calls.
func Find(pkg *types.Package, funcs []*ssa.Function) map[*types.Var]*Field {
	fields := map[*types.Var]*Field{}
	closed := sealed.Package(pkg.Name(), funcs)
	get := func(v *types.Var) *Field {
		f := fields[v]
		if f == nil {
			f = &Field{Var: v, sealed: closed}
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
					if v := chanField(pkg, instr.X.Type(), instr.Field, closed); v != nil {
						get(v).addrUses(instr, accessors)
					} else if v := sliceField(pkg, instr.X.Type(), instr.Field, closed); v != nil {
						get(v).sliceAddrUses(instr, accessors)
					}
				case *ssa.Field:
					if v := chanField(pkg, instr.X.Type(), instr.Field, closed); v != nil {
						get(v).valueUses(instr, accessors, map[ssa.Value]bool{})
					} else if v := sliceField(pkg, instr.X.Type(), instr.Field, closed); v != nil {
						get(v).sliceUses(instr, accessors)
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
						get(v).Escapes = true
						continue
					}
					get(v).valueUses(call, accessors, map[ssa.Value]bool{})
				}
			}
		}
	}
	return fields
}

// chanField returns the channel field number i of the struct that t is,
// or points to, if pkg declares it and it is unexported (or the package
// is sealed: no other can import it).
func chanField(pkg *types.Package, t types.Type, i int, sealed bool) *types.Var {
	v := names.StructField(t, i)
	if v == nil {
		return nil
	}
	if _, ok := v.Type().Underlying().(*types.Chan); !ok || (v.Exported() && !sealed) || v.Pkg() != pkg {
		return nil
	}
	return v
}

// addrUses follows the uses of the address of the field: stores of
// channels made for it, loads, and nothing else.
func (f *Field) addrUses(addr *ssa.FieldAddr, accessors map[*ssa.Function]*types.Var) {
	for _, ref := range *addr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr || !f.madeFor(ref) {
				f.Escapes = true
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				f.Escapes = true
				continue
			}
			f.valueUses(ref, accessors, map[ssa.Value]bool{})
		case *ssa.DebugRef:
		default:
			f.Escapes = true
		}
	}
}

// madeFor reports whether store puts in the field nil or a channel made
// only for it, and notes the make.
func (f *Field) madeFor(store *ssa.Store) bool {
	switch val := store.Val.(type) {
	case *ssa.Const:
		return val.IsNil()
	case *ssa.MakeChan:
		for _, ref := range *val.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				fa, ok := ref.Addr.(*ssa.FieldAddr)
				if !ok || ref.Val != val || chanField(f.Var.Pkg(), fa.X.Type(), fa.Field, f.sealed) != f.Var {
					return false
				}
			case *ssa.DebugRef:
			default:
				return false
			}
		}
		f.Made = append(f.Made, val)
		return true
	}
	return false
}

// valueUses follows a channel read from the field to its sends,
// receives, selects and closes; any other use that could hand it out as
// a channel marks the field as escaping.
func (f *Field) valueUses(val ssa.Value, accessors map[*ssa.Function]*types.Var, seen map[ssa.Value]bool) {
	if seen[val] {
		return
	}
	seen[val] = true
	for _, ref := range *val.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.ARROW {
				f.Escapes = true
				continue
			}
			f.Recvs = append(f.Recvs, ref)
		case *ssa.Send:
			if ref.X == val {
				f.Escapes = true // sent itself
				continue
			}
			f.Sends = append(f.Sends, ref)
		case *ssa.Select:
			for i, st := range ref.States {
				if st.Chan == val {
					f.Selects = append(f.Selects, Case{ref, i})
				}
				if st.Send == val {
					f.Escapes = true
				}
			}
		case *ssa.ChangeType:
			f.valueUses(ref, accessors, seen)
		case *ssa.BinOp:
			// compared with nil
		case *ssa.Return:
			f.returned(ref, val, accessors)
		case ssa.CallInstruction:
			switch builtin(ref.Common(), val) {
			case "close":
				f.Closes = append(f.Closes, ref.Pos())
			case "len", "cap":
			default:
				if !f.intoCallee(ref.Common(), val, accessors, seen) {
					f.Escapes = true
				}
			}
		case *ssa.DebugRef:
		default:
			f.Escapes = true
		}
	}
}

// intoCallee follows the channel val given to a function of the
// package (called, or started as a goroutine) into its parameter, and
// reports whether it could.
func (f *Field) intoCallee(call *ssa.CallCommon, val ssa.Value, accessors map[*ssa.Function]*types.Var, seen map[ssa.Value]bool) bool {
	callee := call.StaticCallee()
	if callee == nil || call.IsInvoke() || callee.Blocks == nil || val.Parent() == nil || callee.Pkg != val.Parent().Pkg {
		return false
	}
	if _, ok := call.Value.(*ssa.Function); !ok {
		return false // a closure, whose free variables are not followed
	}
	for i, a := range call.Args {
		if a != val {
			continue
		}
		if f.Shared == nil {
			f.Shared = map[*ssa.Function]bool{}
		}
		f.Shared[callee] = true
		f.valueUses(callee.Params[i], accessors, seen)
	}
	return true
}

// returned notes a function returning the field's channel: an accessor
// if it returns it receive-only, and nothing else.
func (f *Field) returned(ret *ssa.Return, val ssa.Value, accessors map[*ssa.Function]*types.Var) {
	fn := ret.Parent()
	results := fn.Signature.Results()
	for i, res := range ret.Results {
		if res != val {
			continue
		}
		ch, ok := results.At(i).Type().Underlying().(*types.Chan)
		if !ok || ch.Dir() != types.RecvOnly || results.Len() != 1 {
			f.Escapes = true
			continue
		}
		if w, ok := accessors[fn]; ok && w != f.Var {
			f.Escapes = true // returns either of two fields
		}
		accessors[fn] = f.Var
	}
}

// onlyReturns reports whether every return of fn returns nil or the
// channel of field v: a receive from its result is a receive from v.
func onlyReturns(fn *ssa.Function, v *types.Var) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if ok && !isFieldValue(ret.Results[0], v, true) {
			return false
		}
	}
	return true
}

// isFieldValue reports whether val is nil or read from field v.
func isFieldValue(val ssa.Value, v *types.Var, sealed bool) bool {
	switch val := val.(type) {
	case *ssa.Const:
		return val.IsNil()
	case *ssa.ChangeType:
		return isFieldValue(val.X, v, sealed)
	case *ssa.Field:
		return chanField(v.Pkg(), val.X.Type(), val.Field, sealed) == v
	case *ssa.UnOp:
		fa, ok := val.X.(*ssa.FieldAddr)
		return ok && val.Op == token.MUL && chanField(v.Pkg(), fa.X.Type(), fa.Field, sealed) == v
	}
	return false
}

// builtin returns the name of the builtin call calls with val as its
// only argument, or "".
func builtin(call *ssa.CallCommon, val ssa.Value) string {
	b, ok := call.Value.(*ssa.Builtin)
	if !ok || len(call.Args) != 1 || call.Args[0] != val {
		return ""
	}
	return b.Name()
}

// Unbuffered reports whether every channel made for the field is made
// without a buffer (a constant size of zero).
func (f *Field) Unbuffered() bool {
	for _, mk := range f.Made {
		size, ok := mk.Size.(*ssa.Const)
		if !ok || size.Value == nil || constant.Sign(size.Value) != 0 {
			return false
		}
	}
	return true
}
