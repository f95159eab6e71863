package fromgoleak

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// What the translation must not change behind the user's back: files it
// cannot or must not edit, an API other modules compile against, and
// code that reads goleak's error text. Each is listed; the first two keep
// the package as it is.

// translateExported is the -fromgoleak.exported flag: translate goleak
// types in a package's exported API too.
var translateExported bool

func init() {
	Analyzer.Flags.BoolVar(&translateExported, "exported", false,
		"also translate goleak types in exported API (function signatures, struct fields, interface methods), which changes that API for every importer")
}

// checkUnseen blocks the translation of a package with generated files
// that use goleak, or with goleak types in its exported API; and lists
// the strings that match goleak's error text.
func (tr *translator) checkUnseen() {
	for _, fs := range tr.files {
		if len(fs.goleakImports) > 0 && ast.IsGenerated(fs.file) {
			tr.block(fs.goleakImports[0], "generated file (\"// Code generated\"): its goleak uses come from its generator; "+
				"make the generator write leakcheck, regenerate, then run again")
		}
	}
	if !translateExported {
		tr.checkExportedAPI()
	}
	for _, fs := range tr.files {
		ast.Inspect(fs.file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && readsGoleakText(s) {
				tr.hint(lit, strconv.Quote(s)+" is part of goleak's error text, which leakcheck's report does not have: "+
					"check by hand the code that reads it (leakcheck.LeakError.Goroutines lists the goroutines)")
			}
			return true
		})
	}
}

// ignoredGoleakFiles returns a diagnostic, at the package clause, for
// each file of the package that uses goleak but that the build leaves out
// (build tags, file name): the analysis never sees it.
func ignoredGoleakFiles(pass *analysis.Pass) []analysis.Diagnostic {
	if len(pass.Files) == 0 {
		return nil
	}
	var out []analysis.Diagnostic
	at := pass.Files[0].Name
	for _, name := range pass.IgnoredFiles {
		if constraint, uses := ignoredGoleakFile(name); uses {
			out = append(out, analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: path.Base(name) +
				" uses goleak but is left out of this build (" + constraint + "): run again with the build tags that select it " +
				"(-tags=...), so that it is translated with the rest of package " + pass.Pkg.Name()})
		}
	}
	return out
}

// goleakPhrases are the fixed parts of goleak's error text.
var goleakPhrases = []string{"found unexpected goroutines", "on top of the stack", "[Goroutine "}

func readsGoleakText(s string) bool {
	for _, p := range goleakPhrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// ignoredGoleakFile reports whether the file imports goleak, and returns
// its build constraint line.
func ignoredGoleakFile(name string) (constraint string, uses bool) {
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return "", false
	}
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == goleakPath {
			uses = true
		}
	}
	constraint = "by its file name"
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ") {
				constraint = c.Text
			}
		}
	}
	return constraint, uses
}

// checkExportedAPI blocks the translation of a package whose exported
// API, in files other than tests, has goleak types: other modules
// compile against it, and would break. A package only its own module can
// import (main, internal) is translated.
func (tr *translator) checkExportedAPI() {
	pass := tr.pass
	if pass.Pkg.Name() == "main" || strings.HasSuffix(pass.Pkg.Path(), ".test") || strings.HasSuffix(pass.Pkg.Name(), "_test") {
		return
	}
	for _, elem := range strings.Split(pass.Pkg.Path(), "/") {
		if elem == "internal" {
			return
		}
	}
	blocked := func(obj types.Object, what string) {
		if !obj.Exported() || tr.inTestFile(obj.Pos()) {
			return
		}
		tr.blockAt(obj.Pos(), obj.Pos()+token.Pos(len(obj.Name())), what+" has goleak types in the exported API of package "+pass.Pkg.Path()+
			": translating it would break every package that uses it; leave goleak there, "+
			"or run with -fromgoleak.exported to translate the API too (then update its users in other modules)")
	}
	scope := pass.Pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		tn, isType := obj.(*types.TypeName)
		if !isType {
			if mentionsGoleak(obj.Type(), nil) {
				blocked(obj, name)
			}
			continue
		}
		switch u := tn.Type().Underlying().(type) {
		case *types.Struct:
			for f := range u.Fields() {
				if f.Exported() && mentionsGoleak(f.Type(), nil) {
					blocked(f, name+"."+f.Name())
				}
			}
		case *types.Interface:
			for m := range u.Methods() {
				if m.Exported() && mentionsGoleak(m.Type(), nil) {
					blocked(m, name+"."+m.Name())
				}
			}
		default:
			if mentionsGoleak(u, nil) {
				blocked(obj, name)
			}
		}
		if named, ok := tn.Type().(*types.Named); ok {
			for m := range named.Methods() {
				if m.Exported() && mentionsGoleak(m.Type(), nil) {
					blocked(m, name+"."+m.Name())
				}
			}
		}
	}
}

// inTestFile reports whether pos is in a _test.go file.
func (tr *translator) inTestFile(pos token.Pos) bool {
	return strings.HasSuffix(tr.pass.Fset.Position(pos).Filename, "_test.go")
}
