// Package callees resolves, within one package's SSA, the functions a
// call can run: the function or closure it names, a bound method value,
// an interface method of the package's own interfaces resolved to the
// package's own implementations, and a function value kept in a struct
// field, a local, a parameter or a captured variable, traced back to the
// functions and closures of the package stored there.
//
// It answers only with functions whose bodies are in the package, and
// only for values it can trace to their source: a function value that
// comes from another package, or an interface of another package, has
// callees it does not know, and it returns none rather than guess.
package callees

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// maxDepth bounds how many values a function value is traced through
// (a parameter to its callers' arguments, a field to what is stored
// there): enough for a callback set through a setter from a closure,
// small enough that the trace stays cheap on large packages.
const maxDepth = 4

// A Callee is a function a call can run, with the values it receives.
type Callee struct {
	Fn *ssa.Function
	// Args are the values bound to Fn's parameters, the receiver first
	// for a method.
	Args []ssa.Value
	// Bindings are the values of Fn's free variables when the call
	// site knows them (a closure made where it is called), else nil.
	Bindings []ssa.Value
	// Exact is set when the call runs Fn and nothing else: a call by
	// name, or of a closure made in place. Otherwise Fn is one of the
	// functions the call may run.
	Exact bool
}

// A fieldStore is a value stored into a field.
type fieldStore struct {
	addr *ssa.FieldAddr
	val  ssa.Value
}

// A Resolver resolves the calls of one package.
type Resolver struct {
	pkg *ssa.Package
	// stores holds, by struct field, the values the package stores
	// into it (a field's function values come from there).
	stores map[*types.Var][]fieldStore
	// calls holds, by function of the package, the calls that name it
	// (a parameter's function values come from their arguments).
	calls map[*ssa.Function][]*ssa.CallCommon
	// impls caches the package's implementations of an interface
	// method.
	impls map[implKey][]*ssa.Function
	// memo holds each call's answer: the lock analysis asks for the
	// same call at every pass over its function.
	memo map[*ssa.CallCommon][]Callee
	// implementing caches, by interface of the package, the package's
	// types that implement it: an interface's methods share them.
	implementing map[*types.Named][]types.Type
	// backs caches BackPointer.
	backs map[*types.Var]*types.Var
}

// New returns a Resolver for pkg, whose functions (with their closures)
// are fns.
func New(pkg *ssa.Package, fns []*ssa.Function) *Resolver {
	r := &Resolver{
		pkg:    pkg,
		stores: map[*types.Var][]fieldStore{},
		calls:  map[*ssa.Function][]*ssa.CallCommon{},
		impls:  map[implKey][]*ssa.Function{},
		memo:   map[*ssa.CallCommon][]Callee{},
		backs:  map[*types.Var]*types.Var{},

		implementing: map[*types.Named][]types.Type{},
	}
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Store:
					if fa, ok := instr.Addr.(*ssa.FieldAddr); ok {
						if f := FieldVar(fa.X.Type(), fa.Field); f != nil {
							r.stores[f] = append(r.stores[f], fieldStore{fa, instr.Val})
						}
					}
				case ssa.CallInstruction:
					if callee := instr.Common().StaticCallee(); callee != nil {
						r.calls[callee] = append(r.calls[callee], instr.Common())
					}
				}
			}
		}
	}
	return r
}

// FieldVar returns field i of the struct that t is or points to, or nil.
func FieldVar(t types.Type, i int) *types.Var {
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() {
		return nil
	}
	return st.Field(i)
}

// Callees returns the functions of the package that c can run. The
// Resolver is not safe for concurrent use.
func (r *Resolver) Callees(c *ssa.CallCommon) []Callee {
	if cs, ok := r.memo[c]; ok {
		return cs
	}
	cs := r.callees(c)
	r.memo[c] = cs
	return cs
}

func (r *Resolver) callees(c *ssa.CallCommon) []Callee {
	if c.IsInvoke() {
		var cs []Callee
		args := append([]ssa.Value{c.Value}, c.Args...)
		for _, fn := range r.implementations(c.Value.Type(), c.Method) {
			cs = append(cs, Callee{Fn: fn, Args: args})
		}
		return cs
	}
	switch v := c.Value.(type) {
	case *ssa.Function:
		if r.inPackage(v) {
			return []Callee{{Fn: v, Args: c.Args, Exact: true}}
		}
		return nil
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		if m, recv := boundMethod(fn, v.Bindings); m != nil {
			if r.inPackage(m) {
				return []Callee{{Fn: m, Args: append([]ssa.Value{recv}, c.Args...), Exact: true}}
			}
			return nil
		}
		if r.inPackage(fn) {
			return []Callee{{Fn: fn, Args: c.Args, Bindings: v.Bindings, Exact: true}}
		}
		return nil
	}
	t := &trace{r: r, seen: map[ssa.Value]bool{}}
	if load, ok := c.Value.(*ssa.UnOp); ok {
		if fa, ok := load.X.(*ssa.FieldAddr); ok {
			t.base = fa.X
		}
	}
	var cs []Callee
	for _, fv := range t.funcValues(c.Value, maxDepth, nil) {
		cs = append(cs, Callee{Fn: fv.fn, Args: append(fv.recv, c.Args...), Bindings: fv.bindings})
	}
	return cs
}

// inPackage reports whether fn's body is in the package.
func (r *Resolver) inPackage(fn *ssa.Function) bool {
	return fn != nil && fn.Blocks != nil && fn.Pkg == r.pkg
}

// boundMethod returns the method a bound method value's wrapper calls
// (s.close kept as a func()) and its receiver, or nil.
func boundMethod(fn *ssa.Function, bindings []ssa.Value) (*ssa.Function, ssa.Value) {
	if fn.Synthetic == "" || len(fn.FreeVars) != 1 || len(bindings) != 1 {
		return nil, nil
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Type().(*types.Signature).Recv() == nil {
		return nil, nil
	}
	m := fn.Prog.FuncValue(obj)
	if m == nil {
		return nil, nil
	}
	return m, bindings[0]
}

// A funcValue is a function a value may hold, with the receiver of a
// bound method and the bindings of a closure, where the call knows them.
type funcValue struct {
	fn       *ssa.Function
	recv     []ssa.Value
	bindings []ssa.Value
}

// A trace follows a function value called as base.f() back to the
// functions stored into it. A closure stored by base's own methods may
// capture base itself (x.onFlush = x.flush, x.cb = func() { x.done() }):
// in the trace, self is the value that stands for base where the value
// was stored, and a capture of self is a capture of base at the call.
type trace struct {
	r    *Resolver
	base ssa.Value
	seen map[ssa.Value]bool
}

// funcValues traces the function value v to the functions of the package
// it may hold, within depth steps.
func (t *trace) funcValues(v ssa.Value, depth int, self ssa.Value) []funcValue {
	if depth == 0 || t.seen[v] {
		return nil
	}
	t.seen[v] = true
	defer delete(t.seen, v)
	r := t.r
	switch v := v.(type) {
	case *ssa.Function:
		if r.inPackage(v) {
			return []funcValue{{fn: v}}
		}
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		bindings := t.rebind(v.Bindings, self)
		if m, _ := boundMethod(fn, v.Bindings); m != nil {
			if r.inPackage(m) {
				return []funcValue{{fn: m, recv: bindings}}
			}
			return nil
		}
		if r.inPackage(fn) {
			return []funcValue{{fn: fn, bindings: bindings}}
		}
	case *ssa.ChangeType:
		return t.funcValues(v.X, depth, self)
	case *ssa.Phi:
		var fvs []funcValue
		for _, e := range v.Edges {
			fvs = append(fvs, t.funcValues(e, depth-1, self)...)
		}
		return fvs
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch addr := v.X.(type) {
		case *ssa.FieldAddr:
			return t.fieldValues(FieldVar(addr.X.Type(), addr.Field), depth)
		case *ssa.Alloc:
			var fvs []funcValue
			for _, ref := range *addr.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == addr {
					fvs = append(fvs, t.funcValues(st.Val, depth-1, self)...)
				}
			}
			return fvs
		}
	case *ssa.Field:
		return t.fieldValues(FieldVar(v.X.Type(), v.Field), depth)
	case *ssa.Parameter:
		// A setter's parameter: the arguments of its calls, and self
		// (the setter's receiver, say) becomes what each call passes.
		fn := v.Parent()
		i := ParamIndex(fn, v)
		selfAt := -1
		if p, ok := self.(*ssa.Parameter); ok && p.Parent() == fn {
			selfAt = ParamIndex(fn, p)
		}
		var fvs []funcValue
		for _, c := range r.calls[fn] {
			if i >= len(c.Args) {
				continue
			}
			var outer ssa.Value
			if selfAt >= 0 && selfAt < len(c.Args) {
				outer = c.Args[selfAt]
			}
			fvs = append(fvs, t.funcValues(c.Args[i], depth-1, outer)...)
		}
		return fvs
	case *ssa.Call:
		// A function that returns a closure (an Up() that returns what
		// undoes it).
		var fvs []funcValue
		for _, callee := range t.calleesOf(v.Common(), depth-1) {
			for _, b := range callee.Blocks {
				if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) == 1 {
					fvs = append(fvs, t.funcValues(ret.Results[0], depth-1, nil)...)
				}
			}
		}
		return fvs
	}
	return nil
}

// calleesOf returns the functions of the package the call c may run,
// within the trace's depth: Callees would start a trace afresh, and a
// function value returned by a call of a function value could then be
// traced for ever.
func (t *trace) calleesOf(c *ssa.CallCommon, depth int) []*ssa.Function {
	if c.IsInvoke() {
		return t.r.implementations(c.Value.Type(), c.Method)
	}
	if fn := c.StaticCallee(); fn != nil {
		if t.r.inPackage(fn) {
			return []*ssa.Function{fn}
		}
		return nil
	}
	var fns []*ssa.Function
	for _, fv := range t.funcValues(c.Value, depth, nil) {
		fns = append(fns, fv.fn)
	}
	return fns
}

// rebind returns bindings as the call sees them: self is the call's
// base; any other value is unknown there (nil).
func (t *trace) rebind(bindings []ssa.Value, self ssa.Value) []ssa.Value {
	out := make([]ssa.Value, len(bindings))
	if self == nil || t.base == nil {
		return out
	}
	for i, b := range bindings {
		switch {
		case b == self:
			out[i] = t.base
		case isLoadOfOnce(self, b):
			out[i] = Cell{t.base}
		}
	}
	return out
}

// A Cell stands, among a Callee's Bindings, for a variable the closure
// captured, which holds Value: the closure reaches Value by loading it.
type Cell struct{ ssa.Value }

// isLoadOfOnce reports whether v loads the variable addr, stored once.
func isLoadOfOnce(v, addr ssa.Value) bool {
	load, ok := v.(*ssa.UnOp)
	alloc, isAlloc := addr.(*ssa.Alloc)
	if !ok || load.Op != token.MUL || load.X != addr || !isAlloc {
		return false
	}
	stores := 0
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			stores++
		}
	}
	return stores == 1
}

// fieldValues returns the functions the package stores into field f. A
// store into the call's own field (at depth maxDepth) keeps the struct
// stored into as self.
func (t *trace) fieldValues(f *types.Var, depth int) []funcValue {
	if f == nil {
		return nil
	}
	var fvs []funcValue
	for _, st := range t.r.stores[f] {
		var self ssa.Value
		if depth == maxDepth {
			self = st.addr.X
		}
		fvs = append(fvs, t.funcValues(st.val, depth-1, self)...)
	}
	return fvs
}

// PassedByEveryCall reports whether every call in the package of p's
// function passes, for p, a function of the package. A call through p
// then runs, in each context, one of what its callers pass; where some
// caller passes nil (a callback that is optional there, its call guarded
// by p != nil) or a value the trace cannot follow, the functions other
// callers pass do not stand for every call.
func (r *Resolver) PassedByEveryCall(p *ssa.Parameter) bool {
	fn := p.Parent()
	i := ParamIndex(fn, p)
	calls := r.calls[fn]
	if i < 0 || len(calls) == 0 {
		return false
	}
	for _, c := range calls {
		if i >= len(c.Args) {
			return false
		}
		t := &trace{r: r, seen: map[ssa.Value]bool{}}
		if len(t.funcValues(c.Args[i], maxDepth, nil)) == 0 {
			return false
		}
	}
	return true
}

// ParamIndex returns the index of p among fn's parameters, or -1.
func ParamIndex(fn *ssa.Function, p *ssa.Parameter) int {
	for i, q := range fn.Params {
		if q == p {
			return i
		}
	}
	return -1
}

// implementations returns the methods of the package's types that an
// invoke of m on a value of the interface type t can run, when t is one
// of the package's own interfaces: an interface from elsewhere (an
// io.Writer) may hold any type of any package.
func (r *Resolver) implementations(t types.Type, m *types.Func) []*ssa.Function {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() != r.pkg.Pkg {
		return nil
	}
	iface, ok := named.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	key := implKey{named, m}
	if fns, ok := r.impls[key]; ok {
		return fns
	}
	var fns []*ssa.Function
	for _, candidate := range r.implementers(named, iface) {
		// A method declared on the type itself: a promoted one
		// receives the embedded value, not the one the interface
		// holds.
		sel := r.pkg.Prog.MethodSets.MethodSet(candidate).Lookup(m.Pkg(), m.Name())
		if sel == nil || len(sel.Index()) != 1 {
			continue
		}
		if fn := r.pkg.Prog.FuncValue(sel.Obj().(*types.Func)); r.inPackage(fn) {
			fns = append(fns, fn)
		}
	}
	r.impls[key] = fns
	return fns
}

// An implKey is a method of an interface of the package: an embedded
// interface's method is one object in each interface that embeds it,
// whose implementations differ.
type implKey struct {
	iface  *types.Named
	method *types.Func
}

// implementers returns the package's named types, or pointers to them,
// that implement iface, the interface named: the value type when it
// does, its pointer when only that does.
func (r *Resolver) implementers(named *types.Named, iface *types.Interface) []types.Type {
	if ts, ok := r.implementing[named]; ok {
		return ts
	}
	var ts []types.Type
	scope := r.pkg.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		nt, ok := tn.Type().(*types.Named)
		if !ok || nt.TypeParams().Len() > 0 || types.IsInterface(nt) {
			continue
		}
		// The value type's own method first: the pointer's is then a
		// wrapper of it.
		for _, candidate := range []types.Type{nt, types.NewPointer(nt)} {
			if types.Implements(candidate, iface) {
				ts = append(ts, candidate)
				break
			}
		}
	}
	r.implementing[named] = ts
	return ts
}

// BackPointer returns the field of the values kept in field f that
// points back at the struct keeping them (s.handler = &counter{srv: s}:
// counter.srv), when every value the package stores in f is a struct it
// has just made with that field set to the struct it is stored into,
// and the package sets the field only on structs it has just made;
// otherwise nil. Through
// it, a method called on s.handler reaches s itself.
func (r *Resolver) BackPointer(f *types.Var) *types.Var {
	if f == nil {
		return nil
	}
	if g, ok := r.backs[f]; ok {
		return g
	}
	g := r.backPointer(f)
	r.backs[f] = g
	return g
}

func (r *Resolver) backPointer(f *types.Var) *types.Var {
	owners := map[*ssa.Alloc]ssa.Value{} // each value stored in f, and the struct it is stored into
	var back *types.Var
	for _, st := range r.stores[f] {
		alloc, ok := Unwrap(st.val).(*ssa.Alloc)
		if !ok {
			return nil
		}
		owners[alloc] = st.addr.X
		var found *types.Var
		for _, ref := range *alloc.Referrers() {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok {
				continue
			}
			for _, use := range *fa.Referrers() {
				if set, ok := use.(*ssa.Store); ok && set.Addr == fa && set.Val == st.addr.X {
					found = FieldVar(fa.X.Type(), fa.Field)
				}
			}
		}
		if found == nil || back != nil && found != back {
			return nil
		}
		back = found
	}
	if back == nil {
		return nil
	}
	for _, st := range r.stores[back] {
		// Set only as the structs are made: on those kept in f, to
		// the struct keeping them.
		alloc, ok := st.addr.X.(*ssa.Alloc)
		if owner, kept := owners[alloc]; !ok || kept && owner != st.val {
			return nil
		}
	}
	return back
}

// Unwrap returns the value v boxes in an interface, through any
// conversions between interfaces.
func Unwrap(v ssa.Value) ssa.Value {
	for {
		switch w := v.(type) {
		case *ssa.MakeInterface:
			v = w.X
		case *ssa.ChangeInterface:
			v = w.X
		default:
			return v
		}
	}
}
