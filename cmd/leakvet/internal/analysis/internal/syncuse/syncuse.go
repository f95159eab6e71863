// Package syncuse finds every use a package makes of its sync.WaitGroup
// and sync.Cond values, for the analyzers that judge a Wait by what
// could end it: the values whose uses the package sees whole.
package syncuse

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/sealed"
)

// An Object is one WaitGroup or Cond: an unexported field (any field, in
// a package no other can import: see [sealed.Package]) of a struct of
// the package (every value of that field, together), or a local
// variable (or a NewCond result) of one function.
type Object struct {
	Name string
	// Calls holds the calls of the object's methods, by method name.
	Calls map[string][]*ssa.CallCommon
	// Escapes reports whether the object goes where the package's calls
	// cannot be followed: copied, stored elsewhere, given to another
	// package, used through an interface. Then its calls are not all
	// known.
	Escapes bool
	seen    map[ssa.Value]bool
}

// Find returns the objects of type sync.name (WaitGroup or Cond) that
// funcs, the functions of pkg, use.
func Find(pkg *types.Package, funcs []*ssa.Function, name string) []*Object {
	fields := map[*types.Var]*Object{}
	closed := sealed.Package(pkg.Name(), funcs)
	var objs []*Object
	newObject := func(name string) *Object {
		o := &Object{Name: name, Calls: map[string][]*ssa.CallCommon{}, seen: map[ssa.Value]bool{}}
		objs = append(objs, o)
		return o
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.FieldAddr:
					v := names.StructField(instr.X.Type(), instr.Field)
					if v == nil || (v.Exported() && !closed) || v.Pkg() != pkg || !isSync(v.Type(), name, true) {
						continue
					}
					o := fields[v]
					if o == nil {
						o = newObject(names.Field(v))
						fields[v] = o
					}
					if isSync(v.Type(), name, false) {
						o.uses(instr, name)
					} else {
						o.pointerField(instr, name)
					}
				case *ssa.Alloc:
					if isSync(instr.Type().(*types.Pointer).Elem(), name, false) && !storedInField(instr) {
						newObject(localName(instr)).uses(instr, name)
					}
				case *ssa.Call:
					if isNewCond(instr) && name == "Cond" && !storedInField(instr) {
						newObject("the Cond").uses(instr, name)
					}
				}
			}
		}
	}
	return objs
}

// pointerField follows the address of a field holding a pointer to the
// object: stores of a new object made only for it, and loads.
func (o *Object) pointerField(addr *ssa.FieldAddr, name string) {
	for _, ref := range *addr.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr || !storedInField(ref.Val) {
				o.Escapes = true
			}
		case *ssa.UnOp:
			o.uses(ref, name)
		case *ssa.DebugRef:
		default:
			o.Escapes = true
		}
	}
}

// storedInField reports whether v, a new object, is made only to be
// stored in a struct field: an Alloc (&sync.WaitGroup{}) or a NewCond
// call whose one use is that store.
func storedInField(v ssa.Value) bool {
	switch v.(type) {
	case *ssa.Alloc:
	case *ssa.Call:
		if !isNewCond(v.(*ssa.Call)) {
			return false
		}
	default:
		return false
	}
	stored := false
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if _, ok := ref.Addr.(*ssa.FieldAddr); !ok || ref.Val != v {
				return false
			}
			stored = true
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return stored
}

// uses follows ptr, a pointer to the object, to the calls made on it.
func (o *Object) uses(ptr ssa.Value, name string) {
	if o.seen[ptr] {
		return
	}
	o.seen[ptr] = true
	for _, ref := range *ptr.Referrers() {
		switch ref := ref.(type) {
		case ssa.CallInstruction:
			o.call(ref.Common(), ptr, name)
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == ptr {
					o.uses(fn.FreeVars[i], name)
				}
			}
		case *ssa.Store:
			// A variable closures capture lives in a cell.
			cell, ok := ref.Addr.(*ssa.Alloc)
			if !ok || ref.Val != ptr || !storedOnce(cell) {
				o.Escapes = true
				continue
			}
			o.cell(cell, name)
		case *ssa.FieldAddr:
			// c.L: the Cond's lock, not the Cond.
			if name != "Cond" || names.StructField(ref.X.Type(), ref.Field).Name() != "L" {
				o.Escapes = true
			}
		case *ssa.DebugRef:
		default:
			o.Escapes = true
		}
	}
}

// cell follows the pointer to the object a cell (a captured variable,
// or a closure's free variable pointing to one) holds.
func (o *Object) cell(cell ssa.Value, name string) {
	if o.seen[cell] {
		return
	}
	o.seen[cell] = true
	for _, ref := range *cell.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			o.uses(ref, name)
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b == cell {
					o.cell(fn.FreeVars[i], name)
				}
			}
		case *ssa.Store, *ssa.DebugRef:
		default:
			o.Escapes = true
		}
	}
}

// storedOnce reports whether cell is assigned once.
func storedOnce(cell *ssa.Alloc) bool {
	n := 0
	for _, ref := range *cell.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == cell {
			n++
		}
	}
	return n == 1
}

// call notes what call does with the object ptr points to.
func (o *Object) call(call *ssa.CallCommon, ptr ssa.Value, name string) {
	callee := call.StaticCallee()
	if callee == nil || call.IsInvoke() {
		o.Escapes = true
		return
	}
	if recv := callee.Signature.Recv(); recv != nil && isSync(recv.Type(), name, true) && call.Args[0] == ptr {
		o.Calls[callee.Name()] = append(o.Calls[callee.Name()], call)
		for _, a := range call.Args[1:] {
			if a == ptr {
				o.Escapes = true
			}
		}
		return
	}
	if callee.Pkg == nil || ptr.Parent() == nil || callee.Pkg != ptr.Parent().Pkg || callee.Blocks == nil {
		o.Escapes = true
		return
	}
	for i, a := range call.Args {
		if a == ptr {
			o.uses(callee.Params[i], name)
		}
	}
}

// isSync reports whether t is sync.name, or, if ptrOK, a pointer to it.
func isSync(t types.Type, name string, ptrOK bool) bool {
	if p, ok := t.(*types.Pointer); ok && ptrOK {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == name
}

// isNewCond reports whether call is sync.NewCond.
func isNewCond(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	return callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "sync" && callee.Name() == "NewCond"
}

// localName names the variable alloc allocates.
func localName(alloc *ssa.Alloc) string {
	if alloc.Comment != "" {
		return alloc.Comment
	}
	return "the " + alloc.Type().(*types.Pointer).Elem().(*types.Named).Obj().Name()
}
