// Package lockset computes, over a package's SSA, which sync.Mutex and
// sync.RWMutex locks each function holds at each instruction and which
// it takes, releases or leaves held for its callers: what the doublelock
// and lockorder analyzers judge.
package lockset

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
)

// A Path names a lock by how a function reaches it: a root value (a
// parameter, a captured variable, a global, a local) and the field
// selections and pointer loads from it. Two uses of the same Path in one
// function, with no store between, are the same lock.
type Path struct {
	// Root is nil when only the lock's Type is known: a lock a callee
	// reached through values of its own.
	Root  ssa.Value
	Steps string // ".f" for a field, "*" for a load, in order
	// Type is the lock's name by type, "Store.mu" for the field mu of
	// the named struct Store, "pkg.mu" for a global, or "" when the
	// path has no named struct or global to name it by.
	Type string
	// Text is the lock as the source writes it, "s.mu" for messages.
	Text string
}

// key returns a comparable identity of p within its function.
func (p Path) key() pathKey { return pathKey{p.Root, p.Steps} }

type pathKey struct {
	root  ssa.Value
	steps string
}

// pathOf returns the Path of the lock that v points to, and false if v
// is not an address the analysis can follow.
func pathOf(v ssa.Value) (Path, bool) {
	switch v := v.(type) {
	case *ssa.FieldAddr:
		p, ok := pathOf(v.X)
		if !ok {
			return Path{}, false
		}
		st := v.X.Type().Underlying().(*types.Pointer).Elem()
		return p.field(st, v.Field), true
	case *ssa.Field:
		p, ok := pathOf(v.X)
		if !ok {
			return Path{}, false
		}
		return p.field(v.X.Type(), v.Field), true
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return Path{}, false
		}
		p, ok := pathOf(v.X)
		if !ok {
			return Path{}, false
		}
		p.Steps += "*"
		return p, true
	case *ssa.MakeInterface:
		// A pointer made an interface is the same pointer (the receiver
		// of a method called through the interface).
		if _, ok := v.X.Type().Underlying().(*types.Pointer); ok {
			return pathOf(v.X)
		}
		return Path{Root: v}, true
	case *ssa.Parameter, *ssa.FreeVar, *ssa.Alloc, *ssa.Call, *ssa.Phi, *ssa.Lookup, *ssa.IndexAddr, *ssa.Extract, *ssa.TypeAssert, *ssa.ChangeType, *ssa.Convert:
		return Path{Root: v, Text: rootText(v)}, true
	case *ssa.Global:
		name := v.Pkg.Pkg.Name() + "." + v.Name()
		return Path{Root: v, Type: name, Text: v.Name()}, true
	}
	return Path{}, false
}

// field returns p followed by field i of the struct type t.
func (p Path) field(t types.Type, i int) Path {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return p
	}
	f := st.Field(i)
	p.Steps += "." + f.Name()
	if f.Embedded() && isSyncLock(f.Type()) {
		// s.mu.Mutex reads as s.mu, and Store's embedded RWMutex as
		// Store: the source writes s.mu.Lock() and s.Lock().
		if named, ok := types.Unalias(t).(*types.Named); ok {
			p.Type = named.Obj().Name()
		}
		return p
	}
	if named, ok := types.Unalias(t).(*types.Named); ok {
		p.Type = named.Obj().Name() + "." + f.Name()
	} else if p.Type != "" {
		p.Type += "." + f.Name()
	}
	if p.Text == "" {
		p.Text = f.Name()
	} else {
		p.Text += "." + f.Name()
	}
	return p
}

// rootText names a root value for messages.
func rootText(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Parameter:
		return v.Name()
	case *ssa.FreeVar:
		return v.Name()
	case *ssa.Alloc:
		// A local variable's Alloc is commented with its name; others
		// with what made them.
		switch v.Comment {
		case "", "complit", "new", "slicelit", "varargs", "makeslice":
		default:
			if !strings.Contains(v.Comment, " ") {
				return v.Comment
			}
		}
	}
	return ""
}

// mapInto rewrites p, a path of callee, into the terms of the call site
// that passes args to callee (and binds its free variables with
// bindings), and reports false if p's root is local to callee.
func (p Path) mapInto(callee *ssa.Function, args, bindings []ssa.Value) (Path, bool) {
	var outer ssa.Value
	switch r := p.Root.(type) {
	case *ssa.Global:
		return p, true
	case *ssa.Parameter:
		for i, prm := range callee.Params {
			if prm == r && i < len(args) {
				outer = args[i]
			}
		}
	case *ssa.FreeVar:
		for i, fv := range callee.FreeVars {
			if fv == r && i < len(bindings) {
				outer = bindings[i]
			}
		}
	}
	if outer == nil {
		return Path{}, false
	}
	steps := p.Steps
	if cell, ok := outer.(callees.Cell); ok {
		// A captured variable that holds cell.Value: the callee's
		// load of it is that value.
		var loads bool
		if steps, loads = strings.CutPrefix(steps, "*"); !loads {
			return Path{}, false
		}
		outer = cell.Value
	}
	q, ok := pathOf(outer)
	if !ok {
		return Path{}, false
	}
	q.Steps += steps
	if p.Type != "" {
		q.Type = p.Type
	}
	switch {
	case q.Text == "":
		q.Text = strings.TrimPrefix(p.Text, rootText(p.Root)+".")
	case p.Text != rootText(p.Root):
		q.Text += strings.TrimPrefix(p.Text, rootText(p.Root))
	}
	return q, true
}

// Key returns a comparable identity of p within its function: two paths
// with the same Key name the same lock.
func (p Path) Key() any { return p.key() }

// isSyncLock reports whether t is sync.Mutex or sync.RWMutex.
func isSyncLock(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "sync" {
		return false
	}
	return named.Obj().Name() == "Mutex" || named.Obj().Name() == "RWMutex"
}

// PathOf returns the Path by which v is reached (a field of a struct, a
// global, ...), and false if the analysis cannot follow v.
func PathOf(v ssa.Value) (Path, bool) { return pathOf(v) }
