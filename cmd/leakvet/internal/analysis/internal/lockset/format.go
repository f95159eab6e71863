package lockset

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A method is a String or Error method a call runs implicitly.
type method struct {
	fn   *ssa.Function
	recv ssa.Value
}

// formatted returns the String and Error methods of the package that
// the call c, to a printing function of fmt, runs on its arguments: a
// String that locks what the caller holds is a lock taken twice.
func (a *Analysis) formatted(c *ssa.CallCommon) []method {
	callee, ok := c.Value.(*ssa.Function)
	if !ok || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "fmt" || len(c.Args) == 0 {
		return nil
	}
	slice, ok := c.Args[len(c.Args)-1].(*ssa.Slice)
	if !ok {
		return nil
	}
	array, ok := slice.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var ms []method
	for _, ref := range *array.Referrers() {
		elem, ok := ref.(*ssa.IndexAddr)
		if !ok {
			continue
		}
		for _, use := range *elem.Referrers() {
			store, ok := use.(*ssa.Store)
			if !ok {
				continue
			}
			boxed, ok := store.Val.(*ssa.MakeInterface)
			if !ok {
				continue
			}
			for _, name := range []string{"String", "Error"} {
				m := a.methodOf(boxed.X.Type(), name)
				if a.inPackage(m) && m.Signature.Params().Len() == 0 {
					ms = append(ms, method{fn: m, recv: boxed.X})
				}
			}
		}
	}
	return ms
}

// methodOf returns the method called name of t declared in the package,
// or nil.
func (a *Analysis) methodOf(t types.Type, name string) *ssa.Function {
	sel := a.pkg.Prog.MethodSets.MethodSet(t).Lookup(a.pkg.Pkg, name)
	if sel == nil {
		return nil
	}
	return a.pkg.Prog.MethodValue(sel)
}
