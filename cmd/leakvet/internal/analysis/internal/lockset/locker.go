package lockset

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
)

// A condLock is the lock a *sync.Cond field's L is, relative to the
// struct that holds the field: Steps, Type and Text continue the
// struct's path.
type condLock struct {
	steps, typ, text string
	mode             Mode
}

// lockerOp returns what the call c of a sync.Locker's Lock or Unlock
// does, when the Locker is a mutex the analysis can name: a *Mutex or
// *RWMutex made an interface, an RWMutex's RLocker, or the L of a Cond
// made on one of those (cockroach's systemConfigCond, made on
// systemConfigMu.RLocker(), is that RWMutex read-locked).
func (a *Analysis) lockerOp(c *ssa.CallCommon) (opKind, Mode, Path) {
	if !isSync(c.Value.Type(), "Locker") {
		return noOp, 0, Path{}
	}
	var kind opKind
	switch c.Method.Name() {
	case "Lock":
		kind = acquire
	case "Unlock":
		kind = release
	default:
		return noOp, 0, Path{}
	}
	p, mode, ok := a.lockerPath(c.Value, 3)
	if !ok {
		return noOp, 0, Path{}
	}
	return kind, mode, p
}

// lockerPath returns the lock the sync.Locker v is and how it takes it.
func (a *Analysis) lockerPath(v ssa.Value, depth int) (Path, Mode, bool) {
	if depth == 0 {
		return Path{}, 0, false
	}
	switch v := v.(type) {
	case *ssa.MakeInterface:
		if ptr, ok := v.X.Type().Underlying().(*types.Pointer); ok && isSyncLock(ptr.Elem()) {
			p, ok := pathOf(v.X)
			return p, Write, ok
		}
	case *ssa.Call:
		if callee := v.Common().StaticCallee(); callee != nil && isSyncMethod(callee, "RWMutex", "RLocker") {
			p, ok := pathOf(v.Common().Args[0])
			return p, Read, ok
		}
	case *ssa.UnOp:
		// cond.L
		fa, ok := v.X.(*ssa.FieldAddr)
		if v.Op != token.MUL || !ok || !isSync(fa.X.Type().Underlying().(*types.Pointer).Elem(), "Cond") {
			return Path{}, 0, false
		}
		return a.condPath(fa.X, depth-1)
	}
	return Path{}, 0, false
}

// condPath returns the lock of the *sync.Cond cond: made here by
// sync.NewCond, or loaded from a field every Cond stored into is made on
// a lock of the same struct.
func (a *Analysis) condPath(cond ssa.Value, depth int) (Path, Mode, bool) {
	switch cond := cond.(type) {
	case *ssa.Call:
		if callee := cond.Common().StaticCallee(); callee != nil && callee.Pkg != nil &&
			callee.Pkg.Pkg.Path() == "sync" && callee.Name() == "NewCond" {
			return a.lockerPath(cond.Common().Args[0], depth)
		}
	case *ssa.UnOp:
		fa, ok := cond.X.(*ssa.FieldAddr)
		if cond.Op != token.MUL || !ok {
			return Path{}, 0, false
		}
		cl, ok := a.conds[callees.FieldVar(fa.X.Type(), fa.Field)]
		if !ok {
			return Path{}, 0, false
		}
		p, ok := pathOf(fa.X)
		if !ok {
			return Path{}, 0, false
		}
		p.Steps += cl.steps
		p.Type = cl.typ
		p.Text += cl.text
		return p, cl.mode, true
	}
	return Path{}, 0, false
}

// condFields finds the *sync.Cond fields whose every store, in fns, is a
// Cond made on a lock of the struct the field is in (x.cond =
// sync.NewCond(&x.mu)).
func (a *Analysis) condFields(fns []*ssa.Function) map[*types.Var]condLock {
	conds := map[*types.Var]condLock{}
	unknown := map[*types.Var]bool{}
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				store, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := store.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				ptr, ok := store.Val.Type().Underlying().(*types.Pointer)
				if !ok || !isSync(ptr.Elem(), "Cond") {
					continue
				}
				f := callees.FieldVar(fa.X.Type(), fa.Field)
				cl, ok := a.condOfStore(fa, store.Val)
				if prev, seen := conds[f]; !ok || seen && prev != cl {
					unknown[f] = true
					continue
				}
				conds[f] = cl
			}
		}
	}
	for f := range unknown {
		delete(conds, f)
	}
	return conds
}

// condOfStore returns the lock of the Cond val stored at fa, relative
// to the struct fa is a field of.
func (a *Analysis) condOfStore(fa *ssa.FieldAddr, val ssa.Value) (condLock, bool) {
	call, ok := val.(*ssa.Call)
	if !ok {
		return condLock{}, false
	}
	lock, mode, ok := a.condPath(call, 2)
	if !ok {
		return condLock{}, false
	}
	base, ok := pathOf(fa.X)
	if !ok || base.Root != lock.Root || !strings.HasPrefix(lock.Steps, base.Steps) || !strings.HasPrefix(lock.Text, base.Text) {
		return condLock{}, false
	}
	return condLock{steps: lock.Steps[len(base.Steps):], typ: lock.Type, text: lock.Text[len(base.Text):], mode: mode}, true
}

// isSync reports whether t is the type name of package sync.
func isSync(t types.Type, name string) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "sync" && named.Obj().Name() == name
}

// isSyncMethod reports whether fn is the method name of sync's type typ.
func isSyncMethod(fn *ssa.Function, typ, name string) bool {
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Name() != name {
		return false
	}
	recv := obj.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	ptr, ok := recv.Type().(*types.Pointer)
	return ok && isSync(ptr.Elem(), typ)
}
