package chanlock

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// An exposure tells the package's types that other packages can hold a
// value of: a type named by its exported API (the results of exported
// functions and methods, exported variables and fields), any type that
// implements an interface the API names, and, in turn, what their own
// exported methods and fields hand out. Another package can call an
// exported method of a type only through a value it holds, so the
// exported methods of a type it can never hold are the package's own.
type exposure struct {
	pkg    *types.Package
	named  map[*types.TypeName]bool // exposed named types of the package
	memo   map[*types.TypeName]bool // hidden's answers
	ifaces []*types.Interface       // interfaces the API hands out
	seen   map[types.Type]bool
	work   []*types.Named
}

// newExposure computes what pkg's exported API exposes, and what fns,
// the package's functions, convert to another package's interfaces.
func newExposure(pkg *types.Package, fns []*ssa.Function) *exposure {
	e := &exposure{pkg: pkg, memo: map[*types.TypeName]bool{}, named: map[*types.TypeName]bool{}, seen: map[types.Type]bool{}}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Func:
			e.signature(obj.Type().(*types.Signature))
		case *types.Var:
			e.visit(obj.Type())
		case *types.TypeName:
			if named, ok := types.Unalias(obj.Type()).(*types.Named); ok {
				e.expose(named)
			}
		}
	}
	e.converted(fns)
	for len(e.work) > 0 {
		named := e.work[len(e.work)-1]
		e.work = e.work[:len(e.work)-1]
		for _, t := range []types.Type{named, types.NewPointer(named)} {
			ms := types.NewMethodSet(t)
			for i := 0; i < ms.Len(); i++ {
				if m := ms.At(i).Obj(); m.Exported() {
					e.signature(m.Type().(*types.Signature))
				}
			}
		}
		if st, ok := named.Underlying().(*types.Struct); ok {
			e.fields(st)
		}
	}
	return e
}

// converted exposes the types that fns convert to an interface of
// another package (any, error, context.Context), whose holders may call
// any of their methods, and every implementation of an interface of the
// package converted to one.
func (e *exposure) converted(fns []*ssa.Function) {
	foreign := func(t types.Type) bool {
		named, ok := types.Unalias(t).(*types.Named)
		return !ok || named.Obj().Pkg() != e.pkg
	}
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.MakeInterface:
					if foreign(instr.Type()) {
						e.visit(instr.X.Type())
					}
				case *ssa.ChangeInterface:
					if foreign(instr.Type()) {
						e.visit(instr.X.Type())
					}
				}
			}
		}
	}
}

// hidden reports whether no other package can hold a value of t (a
// named type of the package, or a pointer to one).
func (e *exposure) hidden(t types.Type) bool {
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || e.named[named.Obj()] {
		return false
	}
	if h, ok := e.memo[named.Obj()]; ok {
		return h
	}
	h := true
	for _, iface := range e.ifaces {
		if types.Implements(named, iface) || types.Implements(types.NewPointer(named), iface) {
			h = false
			break
		}
	}
	e.memo[named.Obj()] = h
	return h
}

// signature exposes what an exported function hands out: its results,
// and the arguments it gives the callbacks it is passed.
func (e *exposure) signature(sig *types.Signature) {
	e.handOut(sig.Results())
	for i := 0; i < sig.Params().Len(); i++ {
		if cb, ok := sig.Params().At(i).Type().Underlying().(*types.Signature); ok {
			e.visit(cb)
		}
	}
}

func (e *exposure) handOut(results *types.Tuple) {
	for i := 0; i < results.Len(); i++ {
		e.visit(results.At(i).Type())
	}
}

// expose marks a named type of the package as held elsewhere; of another
// package's type, only its type arguments (an atomic.Pointer[conn]).
func (e *exposure) expose(named *types.Named) {
	if named.Obj().Pkg() != e.pkg {
		for i := 0; i < named.TypeArgs().Len(); i++ {
			e.visit(named.TypeArgs().At(i))
		}
		return
	}
	if !e.named[named.Obj()] {
		e.named[named.Obj()] = true
		e.work = append(e.work, named)
	}
}

func (e *exposure) fields(st *types.Struct) {
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Exported() || f.Embedded() {
			e.visit(f.Type())
		}
	}
}

// visit exposes t and what a holder of t reaches through it.
func (e *exposure) visit(t types.Type) {
	if e.seen[t] {
		return
	}
	e.seen[t] = true
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if iface, ok := t.Underlying().(*types.Interface); ok {
			e.ifaces = append(e.ifaces, iface)
		}
		e.expose(t)
	case *types.Interface:
		e.ifaces = append(e.ifaces, t)
	case *types.Pointer:
		e.visit(t.Elem())
	case *types.Slice:
		e.visit(t.Elem())
	case *types.Array:
		e.visit(t.Elem())
	case *types.Chan:
		e.visit(t.Elem())
	case *types.Map:
		e.visit(t.Key())
		e.visit(t.Elem())
	case *types.Struct:
		e.fields(t)
	case *types.Signature:
		// A callback the package calls with its values.
		for i := 0; i < t.Params().Len(); i++ {
			e.visit(t.Params().At(i).Type())
		}
		e.handOut(t.Results())
	}
}
