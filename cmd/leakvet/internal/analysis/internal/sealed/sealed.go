// Package sealed tells a package whose exported names no other package
// can reach: the analyzers that judge a field by all its uses may then
// judge its exported fields as they judge unexported ones.
package sealed

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Package reports whether no other package can reach the exported names
// of the package whose source functions are funcs: every file of it is
// a _test.go file (go build leaves them out, so nothing imports it), and
// no external test package (package p_test) shares its directory. Its
// exported fields are then as private as unexported ones.
func Package(name string, funcs []*ssa.Function) bool {
	if len(funcs) == 0 {
		return false
	}
	fset := funcs[0].Prog.Fset
	dir := ""
	for _, fn := range funcs {
		f := fset.File(fn.Pos())
		if f == nil || !strings.HasSuffix(f.Name(), "_test.go") {
			return false
		}
		dir = filepath.Dir(f.Name())
	}
	if strings.HasSuffix(name, "_test") {
		return true // an external test package itself
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		if !strings.HasSuffix(e.Name(), "_test.go") {
			return false // a file of the package the build leaves out, or of another
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err != nil || f.Name.Name != name {
			return false
		}
	}
	return true
}
