package lockset

import "golang.org/x/tools/go/ssa"

// A Start is a goroutine started while locks are held: the go statement,
// the function it runs, the values it gives it, and the locks that
// function takes, in the starter's terms.
type Start struct {
	Go       *ssa.Go
	Fn       *ssa.Function
	Args     []ssa.Value
	Bindings []ssa.Value
	Takes    []Acquisition
}

// Started returns what the goroutine g starts, a function of the
// package named or made in place, does to the locks its starter can
// name; ok is false for any other goroutine.
func (a *Analysis) Started(g *ssa.Go) (s Start, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := g.Common()
	callee, bindings := staticCallee(c)
	if !a.inPackage(callee) {
		return Start{}, false
	}
	s = Start{Go: g, Fn: callee, Args: c.Args, Bindings: bindings}
	for _, acq := range a.summary(callee).Acquires {
		if acq.guarded {
			continue
		}
		if p, ok := acq.Lock.mapInto(callee, c.Args, bindings); ok {
			acq.Lock = p
			s.Takes = append(s.Takes, acq)
		}
	}
	return s, true
}

// Same reports whether inner, a value of the started function, is outer,
// a value of its starter: a parameter or captured variable given outer,
// or the same address reached from them (a WaitGroup, a channel field).
func (s Start) Same(inner, outer ssa.Value) bool {
	switch v := inner.(type) {
	case *ssa.Parameter:
		for i, p := range s.Fn.Params {
			if p == v && i < len(s.Args) && s.Args[i] == outer {
				return true
			}
		}
	case *ssa.FreeVar:
		for i, fv := range s.Fn.FreeVars {
			if fv == v && i < len(s.Bindings) && s.Bindings[i] == outer {
				return true
			}
		}
	}
	p, ok := pathOf(inner)
	if !ok {
		return false
	}
	q, ok := p.mapInto(s.Fn, s.Args, s.Bindings)
	if !ok {
		return false
	}
	r, ok := pathOf(outer)
	return ok && q.key() == r.key()
}
