package doublelock

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

// backPointer reports whether taken is held's lock reached back from one
// of its children: held is p.mu, and taken is c.parent.mu for a c taken
// from one of p's collections (a map or slice field), whose field parent
// is its only field of p's type. A store ranging over its replicas, each pointing back to
// its store, reaches the store's lock again (cockroach#3710).
func backPointer(held, taken lockset.Path) bool {
	parent := held.Root
	if parent == nil || taken.Root == nil {
		return false
	}
	if _, ok := parent.Type().Underlying().(*types.Pointer); !ok {
		return false
	}
	child, steps, ok := elementOf(taken.Root, taken.Steps, parent)
	if !ok {
		return false
	}
	// steps is ".field*" then held's own steps.
	rest, ok := strings.CutSuffix(steps, held.Steps)
	if !ok || !strings.HasPrefix(rest, ".") || !strings.HasSuffix(rest, "*") {
		return false
	}
	name := rest[1 : len(rest)-1]
	if strings.ContainsAny(name, ".*") {
		return false
	}
	ptr, ok := child.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	// The child's one field of the parent's type: a child with two
	// (from, to) may point at another parent.
	back := ""
	for i := range st.NumFields() {
		if f := st.Field(i); types.Identical(f.Type(), parent.Type()) {
			if back != "" {
				return false
			}
			back = f.Name()
		}
	}
	return back == name
}

// elementOf returns the type of the element root stands for, and the
// steps from it, when root is an element of a collection that a field
// of parent holds: a value of a range over a map, or a load of a slice
// element.
func elementOf(root ssa.Value, steps string, parent ssa.Value) (types.Type, string, bool) {
	var collection ssa.Value
	switch r := root.(type) {
	case *ssa.Extract:
		next, ok := r.Tuple.(*ssa.Next)
		if !ok || r.Index != 2 {
			return nil, "", false
		}
		rng, ok := next.Iter.(*ssa.Range)
		if !ok {
			return nil, "", false
		}
		collection = rng.X
	case *ssa.Lookup:
		collection = r.X
	case *ssa.IndexAddr:
		// The path loads the element: steps begin with "*".
		var loads bool
		if steps, loads = strings.CutPrefix(steps, "*"); !loads {
			return nil, "", false
		}
		p, ok := lockset.PathOf(r.X)
		if !ok || p.Root != parent || !strings.HasPrefix(p.Steps, ".") {
			return nil, "", false
		}
		return r.Type().Underlying().(*types.Pointer).Elem(), steps, true
	default:
		return nil, "", false
	}
	p, ok := lockset.PathOf(collection)
	if !ok || p.Root != parent || !strings.HasPrefix(p.Steps, ".") {
		return nil, "", false
	}
	return root.Type(), steps, true
}
