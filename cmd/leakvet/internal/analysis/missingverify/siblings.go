package missingverify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// fileSummary is what the analyzer needs to know about a set of test
// files.
type fileSummary struct {
	verifies         bool // checks for leaks: see isVerify
	testMain         bool // declares TestMain
	internal         bool // some file is in the package under test
	external         bool // some file is in p_test
	startsGoroutines bool // some file has a go statement
}

func (s *fileSummary) add(t fileSummary) {
	s.verifies = s.verifies || t.verifies
	s.testMain = s.testMain || t.testMain
	s.internal = s.internal || t.internal
	s.external = s.external || t.external
	s.startsGoroutines = s.startsGoroutines || t.startsGoroutines
}

// summarizeSiblings summarizes the _test.go files of the package's
// directory that are not part of this analysis unit. The internal tests
// (package p) and the external tests (package p_test) of a directory are
// analyzed separately but linked into one test binary: a TestMain or a
// VerifyTestMain in either covers both. They are only parsed, not type
// checked, so a call is recognized by the import path of its package
// name.
func summarizeSiblings(pass *analysis.Pass, tests []*ast.File) fileSummary {
	var s fileSummary
	first := pass.Fset.File(tests[0].FileStart).Name()
	ours := make(map[string]bool)
	for _, f := range tests {
		ours[filepath.Base(pass.Fset.File(f.FileStart).Name())] = true
	}
	entries, err := os.ReadDir(filepath.Dir(first))
	if err != nil {
		return s
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, "_test.go") || ours[name] {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(filepath.Dir(first), name), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		s.add(summarizeParsed(f))
	}
	return s
}

// summarizeParsed summarizes a test file from its syntax alone.
func summarizeParsed(f *ast.File) fileSummary {
	s := fileSummary{
		testMain: hasTestMain(f),
		internal: !strings.HasSuffix(f.Name.Name, "_test"),
		external: strings.HasSuffix(f.Name.Name, "_test"),
	}
	paths := make(map[string]string) // local package name -> import path
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := filepath.Base(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		paths[name] = path
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			s.startsGoroutines = true
		case *ast.CallExpr:
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				break
			}
			if id, ok := sel.X.(*ast.Ident); ok && isVerify(paths[id.Name], sel.Sel.Name, n.Args) {
				s.verifies = true
			}
		}
		return !s.verifies
	})
	return s
}
