package fromgoleak

import (
	"go/ast"
	"go/token"
	"go/types"
	pathpkg "path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// fileState is the translation of one file: the edits of each unit (a
// call to one of goleak's checks, or a statement or declaration using
// its options and types), and the imports they need.
type fileState struct {
	tr   *translator
	file *ast.File
	tok  *token.File
	src  []byte

	goleakImports []*ast.ImportSpec
	goleakName    *types.PkgName // the name goleak is imported as, if any

	lc      string            // the name leakcheck is imported as, or will be
	imports map[string]string // import path -> name, for packages the new code uses
	adds    []string          // import paths to add, leakcheck aside
	uses    []nameUse         // package names the new code uses, and where

	fine    []fineEdit // edits of goleak references and options, in place
	removed []span     // source that disappears (dropped options)
	sites   []*site    // calls of goleak's checks, in order
	units   []*unit    // in order of creation
	unitOf  map[ast.Node]*unit
	lists   map[ast.Node][]ast.Expr // option lists with dropped elements
	rebuilt map[ast.Node]bool       // option lists that a rewrite builds anew
}

// A unit is what one diagnostic reports and its fix changes.
type unit struct {
	node    ast.Node // the call, statement or declaration
	ref     ast.Node // the first goleak reference changed in place, if any
	anchor  ast.Node // the statement or declaration that notes go before
	message string   // for calls; else built from changes
	changes []string // "goleak.X becomes leakcheck.Y"
	waits   []string // what became of goleak's retry limits
	notes   []string // comments to leave before anchor
	edits   []analysis.TextEdit
	// replaced are the ranges the edits rewrite whole; fine edits inside
	// them are already part of the new text.
	replaced []span
	// notesDone means the notes are already in the edits.
	notesDone bool
}

type fineEdit struct {
	span
	text string
	u    *unit
}

type span struct{ pos, end token.Pos }

func (s span) contains(t span) bool { return s.pos <= t.pos && t.end <= s.end }

// nameUse is a package name that new code uses at pos.
type nameUse struct {
	name, path string
	pos        token.Pos
}

func (tr *translator) addFile(f *ast.File) {
	pass := tr.pass
	tok := pass.Fset.File(f.FileStart)
	src, err := pass.ReadFile(tok.Name())
	if err != nil || len(src) != tok.Size() {
		// Without the source there is nothing to edit; the uses of goleak
		// in the file still count as untranslatable.
		src = nil
	}
	fs := &fileState{
		tr: tr, file: f, tok: tok, src: src,
		imports: make(map[string]string),
		unitOf:  make(map[ast.Node]*unit),
		lists:   make(map[ast.Node][]ast.Expr),
		rebuilt: make(map[ast.Node]bool),
	}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || path != goleakPath {
			continue
		}
		fs.goleakImports = append(fs.goleakImports, imp)
		switch {
		case imp.Name != nil && imp.Name.Name == ".":
			tr.block(imp, "dot import of goleak: import it by name (go.uber.org/goleak), then run again")
		case imp.Name != nil && imp.Name.Name == "_":
		case imp.Name != nil:
			fs.goleakName, _ = pass.TypesInfo.Defs[imp.Name].(*types.PkgName)
		default:
			fs.goleakName, _ = pass.TypesInfo.Implicits[imp].(*types.PkgName)
		}
	}
	if len(fs.goleakImports) > 0 && src == nil {
		tr.block(fs.goleakImports[0], "cannot read the source of this file")
	}
	fs.lc = fs.importName(leakcheckPath)
	tr.files = append(tr.files, fs)
}

// importName returns the name under which the file imports path, or ""
// (a blank or dot import does not count).
func (fs *fileState) importName(path string) string {
	for _, imp := range fs.file.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != path {
			continue
		}
		if imp.Name == nil {
			if pn, ok := fs.tr.pass.TypesInfo.Implicits[imp].(*types.PkgName); ok {
				return pn.Name()
			}
			return pathpkg.Base(path)
		}
		if imp.Name.Name != "_" && imp.Name.Name != "." {
			return imp.Name.Name
		}
	}
	return ""
}

// leakcheck returns the name of package leakcheck for new code at pos.
func (fs *fileState) leakcheck(pos token.Pos) string {
	if fs.lc == "" {
		fs.lc = "leakcheck"
		fs.imports[leakcheckPath] = fs.lc
	}
	fs.uses = append(fs.uses, nameUse{fs.lc, leakcheckPath, pos})
	return fs.lc
}

// std returns the name of the standard package path for new code at pos,
// and adds the import if the file does not have it.
func (fs *fileState) std(path string, pos token.Pos) string {
	name, ok := fs.imports[path]
	if !ok {
		name = fs.importName(path)
		if name == "" {
			name = pathpkg.Base(path)
			fs.adds = append(fs.adds, path)
		}
		fs.imports[path] = name
	}
	fs.uses = append(fs.uses, nameUse{name, path, pos})
	return name
}

// unitFor returns the unit of a goleak reference whose ancestors are
// stack: the innermost call to one of goleak's checks around it, or else
// its innermost statement, or its top-level declaration.
func (fs *fileState) unitFor(stack []ast.Node) *unit {
	for i := len(stack) - 1; i >= 0; i-- {
		if call, ok := stack[i].(*ast.CallExpr); ok {
			if s := fs.tr.sites[call]; s != nil {
				return s.u
			}
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case ast.Stmt:
			return fs.anchorUnit(n)
		case *ast.FuncDecl, *ast.GenDecl:
			if i == 1 {
				return fs.anchorUnit(n)
			}
		}
	}
	return fs.anchorUnit(fs.file)
}

func (fs *fileState) anchorUnit(n ast.Node) *unit {
	u := fs.unitOf[n]
	if u == nil {
		u = &unit{node: n, anchor: n}
		fs.unitOf[n] = u
		fs.units = append(fs.units, u)
	}
	return u
}

// change records a fine edit for the goleak reference ref.
func (fs *fileState) change(u *unit, ref ast.Node, pos, end token.Pos, text, what string) {
	fs.fine = append(fs.fine, fineEdit{span{pos, end}, text, u})
	if u.ref == nil {
		u.ref = ref
	}
	if what != "" && !slices.Contains(u.changes, what) {
		u.changes = append(u.changes, what)
	}
}

// text returns the source from pos to end with the fine edits inside
// applied.
func (fs *fileState) text(pos, end token.Pos) string {
	s := span{pos, end}
	var inside []fineEdit
	for _, e := range fs.fine {
		if s.contains(e.span) {
			inside = append(inside, e)
		}
	}
	slices.SortStableFunc(inside, func(a, b fineEdit) int { return int(a.pos - b.pos) })
	var b strings.Builder
	at := pos
	for _, e := range inside {
		if e.pos < at {
			continue // overlapping: cannot happen, edits are disjoint
		}
		b.Write(fs.src[fs.off(at):fs.off(e.pos)])
		b.WriteString(e.text)
		at = e.end
	}
	b.Write(fs.src[fs.off(at):fs.off(end)])
	return b.String()
}

func (fs *fileState) off(p token.Pos) int { return fs.tok.Offset(p) }

// lineStart returns the position of the start of the line of p.
func (fs *fileState) lineStart(p token.Pos) token.Pos {
	return fs.tok.LineStart(fs.tok.Line(p))
}

// indent returns the leading blanks of the line of p.
func (fs *fileState) indent(p token.Pos) string {
	line := fs.src[fs.off(fs.lineStart(p)):]
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	return string(line[:n])
}

// aloneOnLines reports whether nothing but blanks precedes n on its
// first line and nothing but blanks and a // comment follows it on its
// last, and returns the range of those whole lines with their newline.
func (fs *fileState) aloneOnLines(n ast.Node) (span, bool) {
	start := fs.lineStart(n.Pos())
	before := fs.src[fs.off(start):fs.off(n.Pos())]
	if strings.TrimLeft(string(before), " \t") != "" {
		return span{}, false
	}
	rest := fs.src[fs.off(n.End()):]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i+1 < len(rest) && rest[i] == '/' && rest[i+1] == '/' {
		for i < len(rest) && rest[i] != '\n' {
			i++
		}
	}
	if i < len(rest) && rest[i] != '\n' {
		return span{}, false
	}
	if i < len(rest) {
		i++ // the newline
	}
	return span{start, n.End() + token.Pos(i)}, true
}

// deleteNode returns the edit that removes n: its whole lines when it
// is alone on them, else n and a semicolon after it.
func (fs *fileState) deleteNode(n ast.Node) analysis.TextEdit {
	if s, ok := fs.aloneOnLines(n); ok {
		return analysis.TextEdit{Pos: s.pos, End: s.end}
	}
	end := n.End()
	rest := fs.src[fs.off(end):]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i < len(rest) && rest[i] == ';' {
		end += token.Pos(i + 1)
	}
	return analysis.TextEdit{Pos: n.Pos(), End: end}
}

// comment renders notes as // comment lines, each followed by a newline
// and indent.
func comment(notes []string, indent string) string {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString("// " + n + "\n" + indent)
	}
	return b.String()
}

// indentLines indents every line of s but the first.
func indentLines(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// report reports each unit of the file with its fix.
func (fs *fileState) report() {
	importEdits := fs.importEdits()
	for _, u := range fs.units {
		var edits []analysis.TextEdit
		for _, e := range fs.fine {
			if e.u != u || slices.ContainsFunc(u.replaced, func(s span) bool { return s.contains(e.span) }) {
				continue
			}
			edits = append(edits, analysis.TextEdit{Pos: e.pos, End: e.end, NewText: []byte(e.text)})
		}
		edits = append(edits, u.edits...)
		if len(u.notes) > 0 && !u.notesDone {
			at := fs.lineStart(u.anchor.Pos())
			edits = append(edits, analysis.TextEdit{Pos: at, End: at, NewText: []byte(comment(u.notes, fs.indent(u.anchor.Pos())))})
		}
		if len(edits) == 0 && len(u.changes) == 0 {
			continue
		}
		edits = append(edits, importEdits...)
		slices.SortStableFunc(edits, func(a, b analysis.TextEdit) int {
			if a.Pos != b.Pos {
				return int(a.Pos - b.Pos)
			}
			return int(a.End - b.End) // an insertion before what follows
		})
		msg := u.message
		if msg == "" {
			msg = strings.Join(u.changes, "; ")
		}
		if len(u.waits) > 0 {
			msg = strings.TrimPrefix(msg+"; "+strings.Join(u.waits, "; "), "; ")
		}
		at := u.node
		if _, ok := u.node.(*ast.CallExpr); !ok && u.ref != nil {
			at = u.ref // the first reference rather than the whole statement
		}
		fs.tr.pass.Report(analysis.Diagnostic{
			Pos:     at.Pos(),
			End:     at.End(),
			Message: msg,
			SuggestedFixes: []analysis.SuggestedFix{{
				Message:   "Translate goleak to leakcheck",
				TextEdits: edits,
			}},
		})
	}
}
