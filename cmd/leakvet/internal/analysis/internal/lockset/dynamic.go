package lockset

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
)

// dynamicCallees returns the functions of the package a call of fn
// through an interface or a function value can run. A call through an
// interface value made here from a concrete type runs only that type's
// method. A method that reaches, through an interface, a method of its
// own type is a wrapper calling what it wraps (a logger that decorates
// another logger): it is not counted as calling itself.
func (a *Analysis) dynamicCallees(fn *ssa.Function, c *ssa.CallCommon) []callees.Callee {
	var cs []callees.Callee
	for _, callee := range a.calls.Callees(c) {
		if callee.Exact || callee.Fn == fn || c.IsInvoke() && sameReceiver(fn, callee.Fn) {
			continue
		}
		if mi, ok := c.Value.(*ssa.MakeInterface); ok && c.IsInvoke() &&
			!types.Identical(mi.X.Type(), callee.Fn.Params[0].Type()) {
			continue
		}
		cs = append(cs, callee)
	}
	return cs
}

// callDynamic applies to s what callee, one of the functions instr may
// run, does to the locks the caller can name; a lock it cannot map to
// the caller's values is known by its type only, and Indirect. Its
// releases count when it is the only function the call can run, and
// what it leaves held never does.
func (a *Analysis) callDynamic(fn *ssa.Function, s *state, instr ssa.CallInstruction, callee callees.Callee, only bool, visit func(Event), took func(Acquisition)) {
	sum := a.summary(callee.Fn)
	guarded := a.guardedByParam(instr.Block())
	held := heldOnce(s)
	for _, acq := range whenTold(sum.Acquires, visit, took) {
		if acq.guarded || len(acq.Site.Chain) >= maxChain {
			continue
		}
		if p, ok := a.throughBackPointer(callee.Fn, callee.Args, acq.Lock); ok {
			acq.Lock = p
		} else if p, ok := acq.Lock.mapInto(callee.Fn, callee.Args, callee.Bindings); ok {
			acq.Lock = a.throughConstructor(p)
		} else if acq.Lock.Type != "" {
			acq.Lock = Path{Type: acq.Lock.Type, Text: acq.Lock.Text}
			acq.Indirect = true
		} else {
			continue
		}
		acq.block, acq.guarded = instr.Block(), guarded
		acq.Site.Chain = append([]*ssa.Function{fn}, acq.Site.Chain...)
		a.taking(fn, held, instr, acq, visit, took)
	}
	if only {
		for _, r := range sum.Releases {
			if p, ok := r.mapInto(callee.Fn, callee.Args, callee.Bindings); ok {
				s.release(a.throughConstructor(p))
			}
		}
	}
}

// throughConstructor rewrites a path rooted at the result of a
// constructor of the package, which stores its parameter into a field of
// the value it returns (NewMembersAPI(c) returns &api{client: c}), into
// a path rooted at the argument: api.client is c.
func (a *Analysis) throughConstructor(p Path) Path {
	call, ok := p.Root.(*ssa.Call)
	if !ok {
		return p
	}
	callee := call.Common().StaticCallee()
	if !a.inPackage(callee) {
		return p
	}
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			store, ok := instr.(*ssa.Store)
			if !ok {
				continue
			}
			fa, ok := store.Addr.(*ssa.FieldAddr)
			if !ok || !returnedAlone(callee, fa.X) {
				continue
			}
			param, ok := callees.Unwrap(store.Val).(*ssa.Parameter)
			if !ok {
				continue
			}
			step := "." + callees.FieldVar(fa.X.Type(), fa.Field).Name() + "*"
			rest, ok := strings.CutPrefix(p.Steps, step)
			if !ok || rest != "" && rest[0] != '.' && rest[0] != '*' {
				continue
			}
			q, ok := pathOf(callees.Unwrap(call.Common().Args[callees.ParamIndex(callee, param)]))
			if !ok {
				return p
			}
			q.Steps += rest
			q.Type = p.Type
			return q
		}
	}
	return p
}

// throughBackPointer rewrites p, a path of callee rooted at its
// receiver, when the call passes as receiver the value a field of a
// struct keeps and that value points back at the struct (s.h =
// &counter{s: s}): c.s.mu, in a call of s.h.Handle(), is s.mu.
func (a *Analysis) throughBackPointer(callee *ssa.Function, args []ssa.Value, p Path) (Path, bool) {
	if len(args) == 0 || len(callee.Params) == 0 || p.Root != callee.Params[0] {
		return Path{}, false
	}
	load, ok := callees.Unwrap(args[0]).(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return Path{}, false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return Path{}, false
	}
	back := a.calls.BackPointer(callees.FieldVar(fa.X.Type(), fa.Field))
	if back == nil {
		return Path{}, false
	}
	rest, ok := strings.CutPrefix(p.Steps, "."+back.Name()+"*")
	if !ok || rest != "" && rest[0] != '.' && rest[0] != '*' {
		return Path{}, false
	}
	q, ok := pathOf(fa.X)
	if !ok {
		return Path{}, false
	}
	q.Steps += rest
	q.Type = p.Type
	text := strings.TrimPrefix(p.Text, rootText(p.Root)+"."+back.Name())
	if q.Text == "" {
		text = strings.TrimPrefix(text, ".")
	}
	q.Text += text
	return q, true
}

// returnedAlone reports whether v, an allocation, is every result of fn.
func returnedAlone(fn *ssa.Function, v ssa.Value) bool {
	if _, ok := v.(*ssa.Alloc); !ok || fn.Signature.Results().Len() != 1 {
		return false
	}
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && callees.Unwrap(ret.Results[0]) != v {
			return false
		}
	}
	return true
}

// sameReceiver reports whether f and g are methods of one named type.
func sameReceiver(f, g *ssa.Function) bool {
	rf, rg := f.Signature.Recv(), g.Signature.Recv()
	if rf == nil || rg == nil {
		return false
	}
	return receiverName(rf.Type()) == receiverName(rg.Type())
}

func receiverName(t types.Type) *types.TypeName {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	if named, ok := types.Unalias(t).(*types.Named); ok {
		return named.Obj()
	}
	return nil
}
