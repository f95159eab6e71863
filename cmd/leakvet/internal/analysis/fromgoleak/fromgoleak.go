package fromgoleak

import (
	_ "embed"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
)

//go:embed doc.go
var doc string

// Analyzer translates uses of go.uber.org/goleak into leakcheck. Its
// suggested fixes rewrite code: drivers should run it only when asked.
var Analyzer = &analysis.Analyzer{
	Name:      "fromgoleak",
	Doc:       docstring.FromDocGo(doc, "fromgoleak"),
	URL:       "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/fromgoleak",
	Run:       run,
	FactTypes: []analysis.Fact{new(goleakUser)},
}

const (
	goleakPath    = "go.uber.org/goleak"
	leakcheckPath = "github.com/leakcheck/leakcheck"
)

// goleakUser is the fact that a package uses goleak, directly or through
// the functions, variables and types of other packages, and whether all
// of it can be translated, in which case the fix rewrites the package in
// the same run as its users, if it is one of those analyzed. Module is
// the path of the package's module, "" if unknown: a package of another
// module is not rewritten with this one.
type goleakUser struct {
	Translatable bool
	Module       string
}

func (*goleakUser) AFact() {}

func (f *goleakUser) String() string {
	if f.Translatable {
		return "goleakUser(translatable)"
	}
	return "goleakUser(needs a hand)"
}

func run(pass *analysis.Pass) (any, error) {
	ignored := ignoredGoleakFiles(pass)
	if !importsGoleak(pass.Pkg, make(map[*types.Package]bool)) {
		for _, d := range ignored {
			pass.Report(d)
		}
		return nil, nil
	}
	tr := &translator{pass: pass, sites: make(map[*ast.CallExpr]*site), dropped: make(map[*ast.CallExpr]bool)}
	for _, f := range pass.Files {
		tr.addFile(f)
	}
	crossRefs := tr.checkOtherPackages()
	if !tr.usesGoleak() {
		if crossRefs {
			tr.exportFact()
		}
		return nil, nil
	}
	tr.blockers = append(tr.blockers, ignored...)
	tr.checkUnseen()
	for _, fs := range tr.files {
		fs.collectSites()
	}
	for _, fs := range tr.files {
		fs.translateReferences()
	}
	tr.translateWaits()
	for _, fs := range tr.files {
		fs.translateSites()
	}
	if len(tr.blockers) == 0 {
		for _, fs := range tr.files {
			fs.finishImports() // may find a name taken
		}
	}
	tr.exportFact()
	if tr.deferToTestVariant() {
		return nil, nil
	}
	for _, d := range tr.hints {
		pass.Report(d)
	}
	if len(tr.blockers) > 0 {
		for _, d := range tr.blockers {
			d.Message += "; -fix translates package " + pass.Pkg.Name() + " once this is done"
			pass.Report(d)
		}
		tr.reportHeldBack()
		return nil, nil
	}
	for _, fs := range tr.files {
		fs.report()
	}
	return nil, nil
}

// reportHeldBack lists the goleak checks that a blocked package keeps as
// they are, each on a line of its own that no blocker names already: a
// run of -fix counts what it leaves by its diagnostics, and a call it
// leaves unnamed would be left uncounted too.
func (tr *translator) reportHeldBack() {
	pass := tr.pass
	named := make(map[string]bool)
	line := func(pos token.Pos) string {
		p := pass.Fset.Position(pos)
		return p.Filename + ":" + strconv.Itoa(p.Line)
	}
	for _, d := range tr.blockers {
		named[line(d.Pos)] = true
	}
	for _, d := range tr.hints {
		named[line(d.Pos)] = true
	}
	for _, fs := range tr.files {
		for _, s := range fs.sites {
			if named[line(s.call.Pos())] {
				continue
			}
			named[line(s.call.Pos())] = true
			pass.Report(analysis.Diagnostic{Pos: s.call.Pos(), End: s.call.End(),
				Message: "goleak." + s.name + " left as it is: package " + pass.Pkg.Name() +
					" is translated whole or not at all, and waits for the change by hand reported above"})
		}
	}
}

// importsGoleak reports whether pkg depends on goleak: only then can it
// use it, or values of its types.
func importsGoleak(pkg *types.Package, seen map[*types.Package]bool) bool {
	for _, imp := range pkg.Imports() {
		if imp.Path() == goleakPath {
			return true
		}
		if !seen[imp] {
			seen[imp] = true
			if importsGoleak(imp, seen) {
				return true
			}
		}
	}
	return false
}

// translator holds the translation of one package.
type translator struct {
	pass     *analysis.Pass
	files    []*fileState
	blockers []analysis.Diagnostic
	hints    []analysis.Diagnostic
	sites    map[*ast.CallExpr]*site
	// waits are the goleak.MaxRetryAttempts and MaxSleepInterval calls,
	// grouped by the list of options they are in.
	waits []*waitGroup
	// dropped holds the option calls that disappear from their list.
	dropped map[*ast.CallExpr]bool
}

func (tr *translator) usesGoleak() bool {
	return slices.ContainsFunc(tr.files, func(fs *fileState) bool { return len(fs.goleakImports) > 0 })
}

func (tr *translator) exportFact() {
	f := &goleakUser{Translatable: len(tr.blockers) == 0}
	if tr.pass.Module != nil {
		f.Module = tr.pass.Module.Path
	}
	tr.pass.ExportPackageFact(f)
}

// hint records a diagnostic with no fix: something the translation
// keeps as it was that deserves a look by hand.
func (tr *translator) hint(n ast.Node, message string) {
	tr.hints = append(tr.hints, analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: message})
}

// blockAt is block for a range that is not a node.
func (tr *translator) blockAt(pos, end token.Pos, message string) {
	tr.blockers = append(tr.blockers, analysis.Diagnostic{Pos: pos, End: end, Message: message})
}

// block records a use that the analyzer cannot translate; one is enough
// to keep the whole package as it is.
func (tr *translator) block(n ast.Node, message string) {
	d := analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: message}
	if !slices.ContainsFunc(tr.blockers, func(b analysis.Diagnostic) bool { return b.Pos == d.Pos && b.Message == d.Message }) {
		tr.blockers = append(tr.blockers, d)
	}
}

// deferToTestVariant reports whether the package is the plain variant of
// a package whose internal tests use goleak too. The test variant, which
// has the same files and the tests, translates them all or none; done
// here as well, the plain files could change while the tests stay.
func (tr *translator) deferToTestVariant() bool {
	pass := tr.pass
	if len(pass.Files) == 0 {
		return false
	}
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			return false
		}
	}
	dir := filepath.Dir(pass.Fset.File(pass.Files[0].FileStart).Name())
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ImportsOnly)
		if err != nil || f.Name.Name != pass.Pkg.Name() {
			continue
		}
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == goleakPath {
				return true
			}
		}
	}
	return false
}

// checkOtherPackages blocks the translation when the package uses
// functions, variables or types of another package whose types involve
// goleak's, unless that package is translated in the same run: values
// would then cross between goleak and leakcheck types. It reports
// whether the package uses any.
func (tr *translator) checkOtherPackages() bool {
	pass := tr.pass
	seen := make(map[types.Object]bool)
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := pass.TypesInfo.Uses[id]
			if obj == nil || obj.Pkg() == nil || obj.Pkg() == pass.Pkg || seen[obj] {
				return true
			}
			if _, ok := obj.(*types.PkgName); ok {
				return true
			}
			switch obj.Pkg().Path() {
			case goleakPath, leakcheckPath:
				return true
			}
			t := obj.Type()
			if _, ok := obj.(*types.TypeName); ok {
				t = t.Underlying()
			}
			if !mentionsGoleak(t, nil) {
				return true
			}
			seen[obj] = true
			var fact goleakUser
			name := obj.Pkg().Name() + "." + obj.Name()
			known := pass.ImportPackageFact(obj.Pkg(), &fact)
			switch {
			case known && fact.Module != "" && pass.Module != nil && fact.Module != pass.Module.Path:
				tr.block(id, name+" has goleak types and comes from module "+fact.Module+
					", which this run does not rewrite: translate that module first")
			case !known || !fact.Translatable:
				tr.block(id, name+" has goleak types, and package "+obj.Pkg().Path()+
					" cannot be translated yet: fix the goleak uses there first")
			}
			return true
		})
	}
	return len(seen) > 0
}

// mentionsGoleak reports whether t is built from a type of goleak. Named
// types of other packages are not looked into: using them is not using
// goleak, using their fields or methods is checked where that happens.
func mentionsGoleak(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	if seen == nil {
		seen = make(map[types.Type]bool)
	}
	seen[t] = true
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		return t.Obj().Pkg() != nil && t.Obj().Pkg().Path() == goleakPath
	case *types.Pointer:
		return mentionsGoleak(t.Elem(), seen)
	case *types.Slice:
		return mentionsGoleak(t.Elem(), seen)
	case *types.Array:
		return mentionsGoleak(t.Elem(), seen)
	case *types.Map:
		return mentionsGoleak(t.Key(), seen) || mentionsGoleak(t.Elem(), seen)
	case *types.Chan:
		return mentionsGoleak(t.Elem(), seen)
	case *types.Signature:
		return mentionsGoleak(t.Params(), seen) || mentionsGoleak(t.Results(), seen)
	case *types.Tuple:
		for v := range t.Variables() {
			if mentionsGoleak(v.Type(), seen) {
				return true
			}
		}
	case *types.Struct:
		for f := range t.Fields() {
			if mentionsGoleak(f.Type(), seen) {
				return true
			}
		}
	}
	return false
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.FileStart).Name(), "_test.go")
}
