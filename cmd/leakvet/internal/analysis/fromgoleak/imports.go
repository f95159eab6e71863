package fromgoleak

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"

	"golang.org/x/tools/go/analysis"
)

// scope returns the innermost scope at pos.
func (fs *fileState) scope(pos token.Pos) *types.Scope {
	if s := fs.tr.pass.TypesInfo.Scopes[fs.file]; s != nil {
		return s.Innermost(pos)
	}
	return nil
}

// finishImports checks that the package names the new code uses mean
// those packages where it uses them, and decides which imports go.
func (fs *fileState) finishImports() {
	for _, u := range fs.uses {
		scope := fs.scope(u.pos)
		if scope == nil {
			continue
		}
		_, obj := scope.LookupParent(u.name, u.pos)
		if obj == nil || (fs.goleakName != nil && obj == types.Object(fs.goleakName)) {
			continue // free, or goleak's name, which goes
		}
		if pn, ok := obj.(*types.PkgName); ok && pn.Imported().Path() == u.path {
			continue
		}
		fs.tr.block(&ast.Ident{NamePos: u.pos, Name: u.name}, "the new code needs the name "+u.name+" for package "+u.path+
			", but here it means something else: rename that, then run again")
	}
}

// importEdits returns the edits of the file's imports: goleak's import
// goes (leakcheck's takes its place if needed), the new code's imports
// come, and imports used only by dropped options go.
func (fs *fileState) importEdits() []analysis.TextEdit {
	info := fs.tr.pass.TypesInfo
	// Count the uses of each imported name, and those that survive.
	total := make(map[*types.PkgName]int)
	kept := make(map[*types.PkgName]int)
	ast.Inspect(fs.file, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		pn, ok := info.Uses[id].(*types.PkgName)
		if !ok {
			return true
		}
		total[pn]++
		if !slices.ContainsFunc(fs.removed, func(s span) bool { return s.pos <= id.Pos() && id.End() <= s.end }) {
			kept[pn]++
		}
		return true
	})
	var gone []*ast.ImportSpec
	replaced := false
	var edits []analysis.TextEdit
	for _, imp := range fs.file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path == goleakPath {
			if _, adding := fs.imports[leakcheckPath]; adding && !replaced && (imp.Name == nil || imp.Name.Name != "_") {
				// leakcheck takes goleak's place, in goleak's group.
				edits = append(edits, analysis.TextEdit{Pos: imp.Pos(), End: imp.End(), NewText: []byte(strconv.Quote(leakcheckPath))})
				replaced = true
				continue
			}
			gone = append(gone, imp)
			continue
		}
		var pn *types.PkgName
		if imp.Name != nil {
			pn, _ = info.Defs[imp.Name].(*types.PkgName)
		} else {
			pn, _ = info.Implicits[imp].(*types.PkgName)
		}
		if _, used := fs.imports[path]; pn != nil && !used && total[pn] > 0 && kept[pn] == 0 {
			gone = append(gone, imp)
		}
	}
	adds := slices.Clone(fs.adds)
	if _, adding := fs.imports[leakcheckPath]; adding && !replaced {
		adds = append(adds, leakcheckPath)
	}

	// Delete the imports that go: whole declarations when nothing is
	// left of them, else the lines of the specs.
	var into *ast.GenDecl // the parenthesized declaration that gets the additions
	var last ast.Node = fs.file.Name
	for _, d := range fs.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		last = gd
		all := true
		for _, sp := range gd.Specs {
			all = all && slices.Contains(gone, sp.(*ast.ImportSpec))
		}
		if all {
			edits = append(edits, fs.deleteNode(gd))
			continue
		}
		for _, sp := range gd.Specs {
			if slices.Contains(gone, sp.(*ast.ImportSpec)) {
				edits = append(edits, fs.deleteNode(sp))
			}
		}
		if into == nil && gd.Lparen.IsValid() {
			into = gd
		}
	}
	if len(adds) > 0 {
		text := ""
		at := last.End()
		if into != nil {
			at = into.Lparen + 1
			for _, p := range adds {
				text += "\n\t" + strconv.Quote(p)
			}
		} else {
			for _, p := range adds {
				text += "\nimport " + strconv.Quote(p)
			}
			if last == fs.file.Name {
				text = "\n" + text
			}
		}
		edits = append(edits, analysis.TextEdit{Pos: at, End: at, NewText: []byte(text)})
	}
	return edits
}
