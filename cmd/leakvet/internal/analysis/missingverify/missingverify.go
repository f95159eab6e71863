package missingverify

import (
	_ "embed"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/gostart"
)

//go:embed doc.go
var doc string

// Analyzer suggests leakcheck.VerifyTestMain for test packages that start
// goroutines but never check for leaks.
var Analyzer = &analysis.Analyzer{
	Name:      "missingverify",
	Doc:       docstring.FromDocGo(doc, "missingverify"),
	URL:       "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/missingverify",
	Run:       run,
	FactTypes: []analysis.Fact{new(startsGoroutines)},
}

// leakcheckPath is the import path of the package that defines Verify.
const leakcheckPath = "github.com/leakcheck/leakcheck"

func run(pass *analysis.Pass) (any, error) {
	exportGoroutineFacts(pass)

	tests := testFiles(pass)
	if len(tests) == 0 || strings.TrimSuffix(pass.Pkg.Path(), "_test") == leakcheckPath {
		return nil, nil // no tests, or the tests of leakcheck itself
	}
	ours := fileSummary{}
	for _, f := range tests {
		ours.add(summarizeTyped(pass.TypesInfo, f))
	}
	siblings := summarizeSiblings(pass, tests)
	if ours.verifies || siblings.verifies {
		return nil, nil
	}
	// Internal and external tests share one test binary: report it once.
	// The internal tests speak for it when they have a go statement of
	// their own, the external tests otherwise.
	external := strings.HasSuffix(pass.Pkg.Name(), "_test")
	if external && siblings.internal && siblings.startsGoroutines ||
		!external && siblings.external && !ours.startsGoroutines {
		return nil, nil
	}
	ev, file := evidence(pass, tests)
	if ev == nil {
		return nil, nil
	}
	pkg := pass.Pkg.Name()
	d := analysis.Diagnostic{Pos: ev.Pos(), End: ev.End()}
	switch {
	case ours.testMain || siblings.testMain:
		d.Message = "tests of package " + pkg + " start goroutines here but never check that they end: " +
			"call leakcheck.VerifyTestMain(m) from TestMain in place of m.Run()"
	default:
		d.Message = "tests of package " + pkg + " start goroutines here but never check that they end: " +
			"add func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }"
		d.SuggestedFixes = []analysis.SuggestedFix{addTestMain(pass, file)}
	}
	pass.Report(d)
	return nil, nil
}

// testFiles returns the package's _test.go files, in the order given.
func testFiles(pass *analysis.Pass) []*ast.File {
	var files []*ast.File
	for _, f := range pass.Files {
		if strings.HasSuffix(pass.Fset.File(f.FileStart).Name(), "_test.go") {
			files = append(files, f)
		}
	}
	return files
}

// evidence returns the first go statement in the test files, or the
// first call from them to a function of the package under test that
// starts goroutines, and the file it is in.
func evidence(pass *analysis.Pass, tests []*ast.File) (ast.Node, *ast.File) {
	underTest := strings.TrimSuffix(pass.Pkg.Path(), "_test")
	for _, f := range tests {
		var found ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			if _, _, ok := gostart.Goroutine(pass.TypesInfo, n); ok {
				found = n
				return false
			}
			if call, ok := n.(*ast.CallExpr); ok {
				fn := typeutil.StaticCallee(pass.TypesInfo, call)
				if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == underTest &&
					pass.ImportObjectFact(fn.Origin(), new(startsGoroutines)) {
					found = n
				}
			}
			return found == nil
		})
		if found != nil {
			return found, f
		}
	}
	return nil, nil
}

// isVerify reports whether a call of the function name of package
// pkgPath, with args, checks a test or a test binary for leaked
// goroutines: leakcheck's and goleak's checks, or a dump of all
// goroutines with runtime.Stack(buf, true), the usual start of a
// home-grown check such as net/http's.
func isVerify(pkgPath, name string, args []ast.Expr) bool {
	switch pkgPath {
	case leakcheckPath:
		return name == "Verify" || name == "VerifyTestMain"
	case "go.uber.org/goleak":
		return name == "VerifyNone" || name == "VerifyTestMain"
	case "runtime":
		if name != "Stack" || len(args) != 2 {
			return false
		}
		all, ok := ast.Unparen(args[1]).(*ast.Ident)
		return ok && all.Name == "true"
	}
	return false
}

// summarizeTyped summarizes f, a test file of the package being analyzed.
func summarizeTyped(info *types.Info, f *ast.File) fileSummary {
	var s fileSummary
	s.testMain = hasTestMain(f)
	ast.Inspect(f, func(n ast.Node) bool {
		if _, _, ok := gostart.Goroutine(info, n); ok {
			s.startsGoroutines = true
		}
		if call, ok := n.(*ast.CallExpr); ok {
			fn := typeutil.StaticCallee(info, call)
			if fn != nil && fn.Pkg() != nil && isVerify(fn.Pkg().Path(), fn.Name(), call.Args) {
				s.verifies = true
			}
		}
		return !s.verifies
	})
	return s
}

func hasTestMain(f *ast.File) bool {
	return slices.ContainsFunc(f.Decls, func(d ast.Decl) bool {
		fd, ok := d.(*ast.FuncDecl)
		return ok && fd.Recv == nil && fd.Name.Name == "TestMain"
	})
}
