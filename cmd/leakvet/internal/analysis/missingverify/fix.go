package missingverify

import (
	"go/ast"
	"go/token"
	pathpkg "path"
	"strconv"

	"golang.org/x/tools/go/analysis"
)

// addTestMain returns the fix that adds a TestMain calling
// leakcheck.VerifyTestMain at the end of f, and the imports it needs.
func addTestMain(pass *analysis.Pass, f *ast.File) analysis.SuggestedFix {
	testing := localName(f, "testing")
	var imports []string
	if testing == "" {
		testing = "testing"
		imports = append(imports, "testing")
	}
	leakcheck := localName(f, leakcheckPath)
	if leakcheck == "" {
		leakcheck = "leakcheck"
		imports = append(imports, leakcheckPath)
	}
	edits := importEdits(f, imports)
	edits = append(edits, analysis.TextEdit{
		Pos:     f.FileEnd,
		End:     f.FileEnd,
		NewText: []byte("\nfunc TestMain(m *" + testing + ".M) {\n\t" + leakcheck + ".VerifyTestMain(m)\n}\n"),
	})
	return analysis.SuggestedFix{Message: "Add a TestMain that calls leakcheck.VerifyTestMain", TextEdits: edits}
}

// localName returns the name under which f imports path, or "" if it
// does not (a blank or dot import does not count).
func localName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != path {
			continue
		}
		if imp.Name == nil {
			return pathpkg.Base(path) // true of both packages this file asks about
		}
		if imp.Name.Name != "_" && imp.Name.Name != "." {
			return imp.Name.Name
		}
	}
	return ""
}

// importEdits returns the edits that add paths to f's imports: into the
// first parenthesized import declaration if there is one, else as new
// declarations after the last import, or after the package clause.
func importEdits(f *ast.File, paths []string) []analysis.TextEdit {
	if len(paths) == 0 {
		return nil
	}
	after := f.Name.End()
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			text := "\n" // a group of its own, as goimports would place it
			for _, p := range paths {
				text += "\t" + strconv.Quote(p) + "\n"
			}
			return []analysis.TextEdit{{Pos: gd.Rparen, End: gd.Rparen, NewText: []byte(text)}}
		}
		after = gd.End()
	}
	text := ""
	if after == f.Name.End() {
		text = "\n"
	}
	for _, p := range paths {
		text += "\nimport " + strconv.Quote(p)
	}
	return []analysis.TextEdit{{Pos: after, End: after, NewText: []byte(text)}}
}
