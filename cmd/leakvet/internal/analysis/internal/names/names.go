// Package names says how leakvet's messages name what code reaches.
package names

import "go/types"

// Field names the struct field v as Type.field when a named type of its
// package declares it, and as field otherwise (a field of an anonymous
// struct).
func Field(v *types.Var) string {
	if v.Pkg() == nil {
		return v.Name()
	}
	scope := v.Pkg().Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		if s, ok := tn.Type().Underlying().(*types.Struct); ok {
			for i := 0; i < s.NumFields(); i++ {
				if s.Field(i) == v {
					return name + "." + v.Name()
				}
			}
		}
	}
	return v.Name()
}

// StructField returns field number i of the struct that t is, or points
// to, or nil.
func StructField(t types.Type, i int) *types.Var {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	s, ok := t.Underlying().(*types.Struct)
	if !ok || i >= s.NumFields() {
		return nil
	}
	return s.Field(i)
}
