package lockset

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A Mode is how a lock is held: for writing (Lock) or for reading (RLock).
type Mode int

const (
	Write Mode = iota
	Read
)

func (m Mode) String() string {
	if m == Read {
		return "read-locked"
	}
	return "locked"
}

// opKind is what a call does to a lock.
type opKind int

const (
	noOp opKind = iota
	acquire
	release
)

// lockOp returns what the call c does to a sync.Mutex or sync.RWMutex,
// directly or through a sync.Locker the analysis can trace to one (a
// Cond's L, an RLocker), and the lock. TryLock is no operation: it holds
// the lock only when it returns true, which the analysis does not
// follow.
func (a *Analysis) lockOp(c *ssa.CallCommon) (opKind, Mode, Path) {
	if c.IsInvoke() {
		return a.lockerOp(c)
	}
	fn, ok := c.Value.(*ssa.Function)
	if !ok || c.IsInvoke() || len(c.Args) == 0 {
		return noOp, 0, Path{}
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg().Path() != "sync" {
		return noOp, 0, Path{}
	}
	recv := obj.Type().(*types.Signature).Recv()
	if recv == nil {
		return noOp, 0, Path{}
	}
	ptr, ok := recv.Type().(*types.Pointer)
	if !ok {
		return noOp, 0, Path{}
	}
	named, ok := ptr.Elem().(*types.Named)
	if !ok {
		return noOp, 0, Path{}
	}
	var kind opKind
	mode := Write
	switch typ, name := named.Obj().Name(), obj.Name(); {
	case (typ == "Mutex" || typ == "RWMutex") && name == "Lock":
		kind = acquire
	case (typ == "Mutex" || typ == "RWMutex") && name == "Unlock":
		kind = release
	case typ == "RWMutex" && name == "RLock":
		kind, mode = acquire, Read
	case typ == "RWMutex" && name == "RUnlock":
		kind, mode = release, Read
	default:
		return noOp, 0, Path{}
	}
	p, ok := pathOf(c.Args[0])
	if !ok {
		return noOp, 0, Path{}
	}
	return kind, mode, p
}

// staticCallee returns the function a call runs and the values bound to
// its free variables, when the call names it (a function, a method of a
// concrete type, a closure made in place or kept in a local).
func staticCallee(c *ssa.CallCommon) (*ssa.Function, []ssa.Value) {
	if c.IsInvoke() {
		return nil, nil
	}
	switch v := c.Value.(type) {
	case *ssa.Function:
		return v, nil
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function), v.Bindings
	}
	return nil, nil
}
