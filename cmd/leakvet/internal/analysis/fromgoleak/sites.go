package fromgoleak

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// A site is a call of one of goleak's checks.
type site struct {
	fs    *fileState
	call  *ast.CallExpr
	name  string     // VerifyNone, VerifyTestMain or Find
	stack []ast.Node // ancestors of call
	u     *unit

	cleanup      *ast.CallExpr // a goleak.Cleanup argument
	runOnFailure *ast.CallExpr // a goleak.RunOnFailure argument
	generate     func()        // builds the new text, once drops are known
}

// statement returns the statement the call is in, or the call.
func (s *site) statement() ast.Node {
	for i := len(s.stack) - 1; i >= 0; i-- {
		if st, ok := s.stack[i].(ast.Stmt); ok {
			return st
		}
	}
	return s.call
}

func (s *site) parent() ast.Node { return s.stack[len(s.stack)-1] }

// translateSites chooses the form of each check, drops the options that
// go from the lists that stay, and then writes the checks anew.
func (fs *fileState) translateSites() {
	verified := make(map[*ast.BlockStmt]bool) // test bodies that have their Verify
	for _, s := range fs.sites {
		switch s.name {
		case "VerifyTestMain":
			s.verifyTestMain()
		case "Find":
			s.find()
		case "VerifyNone":
			s.verifyNone(verified)
		}
	}
	for owner, list := range fs.lists {
		if !fs.rebuilt[owner] {
			fs.dropEdits(list)
		}
	}
	for _, s := range fs.sites {
		if s.generate != nil {
			s.generate()
		}
	}
}

// rename replaces goleak.Name, the function the site calls, by its
// leakcheck namesake.
func (s *site) rename(to string) {
	fun := s.call.Fun
	s.fs.change(s.u, fun, fun.Pos(), fun.End(), s.fs.leakcheck(fun.Pos())+"."+to, "")
}

// replace makes the unit rewrite the whole of n as text.
func (s *site) replace(n ast.Node, text string) {
	s.u.edits = append(s.u.edits, analysis.TextEdit{Pos: n.Pos(), End: n.End(), NewText: []byte(text)})
	s.u.replaced = append(s.u.replaced, span{n.Pos(), n.End()})
}

// options returns the source of the site's options as they will be
// passed on: without the dropped ones, and without Cleanup and
// RunOnFailure, which a rewrite of the whole call handles itself.
func (s *site) options() []string {
	fs := s.fs
	var out []string
	for i, a := range s.call.Args[1:] {
		if c, ok := a.(*ast.CallExpr); ok && (fs.tr.dropped[c] || c == s.cleanup || c == s.runOnFailure) {
			continue
		}
		text := fs.text(a.Pos(), a.End())
		if i == len(s.call.Args)-2 && s.call.Ellipsis.IsValid() {
			text += "..."
		}
		out = append(out, text)
	}
	return out
}

// verifyTestMain translates goleak.VerifyTestMain(m, opts...): to
// leakcheck.VerifyTestMain, or, with goleak.Cleanup(f), which runs f in
// place of os.Exit, to the same steps written out.
func (s *site) verifyTestMain() {
	fs, tr := s.fs, s.fs.tr
	if s.cleanup == nil {
		s.rename("VerifyTestMain")
		s.u.message = "goleak.VerifyTestMain becomes leakcheck.VerifyTestMain"
		return
	}
	stmt, ok := s.parent().(*ast.ExprStmt)
	body := s.functionBody()
	if !ok || body == nil || body.List[len(body.List)-1] != stmt {
		tr.block(s.call, "goleak.VerifyTestMain with goleak.Cleanup that is not the last statement of its function: "+
			"goleak returns from it, leakcheck exits; move what follows into the cleanup function, then run again")
		return
	}
	if len(s.cleanup.Args) != 1 || !s.stableFunc(s.cleanup.Args[0]) {
		tr.block(s.cleanup, "goleak.Cleanup with a function that is computed by a call: store it in a variable first, then run again")
		return
	}
	fs.rebuilt[s.call] = true
	s.generate = func() {
		pos := stmt.Pos()
		lc := fs.leakcheck(pos)
		fmtName, osName := fs.std("fmt", pos), fs.std("os", pos)
		code := s.freeName(pos, "code", "exitCode", "leakExitCode")
		opts := s.freeName(pos, "opts", "leakOpts", "leakcheckOpts")
		var b strings.Builder
		args := strings.Join(s.options(), ", ")
		if !s.stableArgs() {
			b.WriteString(opts + " := []" + lc + ".Option{" + args + "}\n")
			args = opts + "..."
		}
		m := s.call.Args[0]
		b.WriteString(code + " := " + fs.text(m.Pos(), m.End()) + ".Run()\n")
		find := "if err := " + lc + ".Find(" + args + "); err != nil {\n" +
			"\t" + fmtName + ".Fprintln(" + osName + ".Stderr, err)\n"
		if s.runOnFailure != nil {
			b.WriteString(find + "\tif " + code + " == 0 {\n\t\t" + code + " = 1\n\t}\n}\n")
		} else {
			b.WriteString("if " + code + " == 0 {\n" + indentLines(find, "\t") + "\t" + code + " = 1\n\t}\n}\n")
		}
		f := s.cleanup.Args[0]
		b.WriteString(callable(f, fs.text(f.Pos(), f.End())) + "(" + code + ")\n")
		b.WriteString(osName + ".Exit(" + code + ")")
		s.replace(stmt, indentLines(b.String(), fs.indent(stmt.Pos())))
		s.u.message = "goleak.VerifyTestMain with goleak.Cleanup becomes m.Run, leakcheck.Find, the cleanup and os.Exit"
	}
}

// find translates goleak.Find(opts...) to leakcheck.Find(opts...), which
// ignores the test runner as goleak.Find does.
func (s *site) find() {
	s.rename("Find")
	s.u.message = "goleak.Find becomes leakcheck.Find"
}

// verifyNone translates goleak.VerifyNone(t, opts...). Deferred at the
// top of a test, it becomes leakcheck.Verify(t, opts...) as the test's
// first statement when the options can be computed there, else it stays
// deferred. Anywhere else it keeps its moment: leakcheck.Find(opts...)
// and t.Error, as goleak does.
func (s *site) verifyNone(verified map[*ast.BlockStmt]bool) {
	fs, tr := s.fs, s.fs.tr
	if len(s.call.Args) == 0 {
		return // does not compile
	}
	switch stmt := s.parent().(type) {
	case *ast.DeferStmt:
		test, body := s.testFunction()
		if test != "" && !verified[body] && !s.verifiesAlready(body) {
			verified[body] = true
			if !s.hoistable(body, stmt == body.List[0]) {
				s.rename("Verify")
				s.u.message = "deferred goleak.VerifyNone becomes a deferred leakcheck.Verify: its options must be computed where it is"
				return
			}
			fs.rebuilt[s.call] = true
			s.u.message = "deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of " + test
			s.generate = func() { s.hoist(stmt, body) }
			return
		}
		fs.rebuilt[s.call] = true
		s.u.message = "deferred goleak.VerifyNone becomes a deferred leakcheck.Find that fails the test, to keep its moment"
		s.generate = func() {
			t := s.call.Args[0]
			tText := fs.text(t.Pos(), t.End())
			lc := fs.leakcheck(stmt.Pos())
			err := s.errName(t)
			opts := "opts"
			if mentions(t, "opts") {
				opts = "leakOpts"
			}
			args := s.options()
			param, find := "", ""
			if len(args) > 0 {
				// The options are computed at the defer, as goleak's were.
				param, find = opts+" ..."+lc+".Option", opts+"..."
			}
			text := "defer func(" + param + ") {\n" +
				"\tif " + err + " := " + lc + ".Find(" + find + "); " + err + " != nil {\n" +
				"\t\t" + tText + ".Error(" + err + ")\n" +
				"\t}\n" +
				"}(" + strings.Join(args, ", ") + ")"
			s.replace(stmt, indentLines(text, fs.indent(stmt.Pos())))
		}
	case *ast.ExprStmt:
		fs.rebuilt[s.call] = true
		s.u.message = "goleak.VerifyNone becomes leakcheck.Find that fails the test, to keep its moment"
		s.generate = func() {
			t := s.call.Args[0]
			lc := fs.leakcheck(stmt.Pos())
			err := s.errName(t)
			args := s.options()
			text := "if " + err + " := " + lc + ".Find(" + strings.Join(args, ", ") + "); " + err + " != nil {\n" +
				"\t" + fs.text(t.Pos(), t.End()) + ".Error(" + err + ")\n" +
				"}"
			s.replace(stmt, indentLines(text, fs.indent(stmt.Pos())))
		}
	default:
		tr.block(s.call, "goleak.VerifyNone in a go statement: translate it by hand")
	}
}

// hoist moves the deferred check to the start of the test's body as
// leakcheck.Verify.
func (s *site) hoist(stmt *ast.DeferStmt, body *ast.BlockStmt) {
	fs := s.fs
	at := body.Lbrace + 1
	args := append([]string{fs.text(s.call.Args[0].Pos(), s.call.Args[0].End())}, s.options()...)
	verify := fs.leakcheck(at) + ".Verify(" + strings.Join(args, ", ") + ")"
	if stmt == body.List[0] {
		s.replace(stmt, verify)
		return
	}
	indent := fs.indent(body.List[0].Pos())
	if fs.tok.Line(body.List[0].Pos()) == fs.tok.Line(body.Lbrace) {
		indent = fs.indent(body.Lbrace) + "\t"
	}
	text := "\n" + indent + comment(s.u.notes, indent) + verify
	if fs.tok.Line(body.List[0].Pos()) == fs.tok.Line(body.Lbrace) {
		text += "\n" + indent
	}
	s.u.notesDone = true
	s.u.edits = append(s.u.edits, analysis.TextEdit{Pos: at, End: at, NewText: []byte(text)})
	del := fs.deleteNode(stmt)
	s.u.edits = append(s.u.edits, del)
	s.u.replaced = append(s.u.replaced, span{del.Pos, del.End})
}

// functionBody returns the body of the function whose statement the
// site is, or nil if the statement is nested in a block.
func (s *site) functionBody() *ast.BlockStmt {
	if len(s.stack) < 3 {
		return nil
	}
	body, ok := s.stack[len(s.stack)-2].(*ast.BlockStmt)
	if !ok {
		return nil
	}
	switch fn := s.stack[len(s.stack)-3].(type) {
	case *ast.FuncDecl:
		if fn.Body == body {
			return body
		}
	case *ast.FuncLit:
		if fn.Body == body {
			return body
		}
	}
	return nil
}

// testFunction returns the name of the test whose body has the site's
// defer at its top level, with the test's own *testing.T (or B, F, TB)
// as the argument, and that body; or "" if there is no such test. A test
// is a Test, Benchmark or Fuzz function of a _test.go file, or a
// function literal given to t.Run, b.Run or f.Fuzz.
func (s *site) testFunction() (string, *ast.BlockStmt) {
	body := s.functionBody()
	if body == nil {
		return "", nil
	}
	info := s.fs.tr.pass.TypesInfo
	var ftype *ast.FuncType
	var name string
	switch fn := s.stack[len(s.stack)-3].(type) {
	case *ast.FuncDecl:
		if fn.Recv != nil || !isTestFile(s.fs.tr.pass, s.fs.file) || !isTestName(fn.Name.Name) {
			return "", nil
		}
		ftype, name = fn.Type, fn.Name.Name
	case *ast.FuncLit:
		if len(s.stack) < 4 {
			return "", nil
		}
		call, ok := s.stack[len(s.stack)-4].(*ast.CallExpr)
		if !ok || !slices.Contains(call.Args, ast.Expr(fn)) {
			return "", nil
		}
		callee, ok := typeutil.Callee(info, call).(*types.Func)
		if !ok || callee.Pkg() == nil || callee.Pkg().Path() != "testing" ||
			(callee.Name() != "Run" && callee.Name() != "Fuzz") {
			return "", nil
		}
		ftype, name = fn.Type, "the subtest"
		if callee.Name() == "Fuzz" {
			name = "the fuzz function"
		}
	}
	t, ok := s.call.Args[0].(*ast.Ident)
	if !ok || ftype.Params == nil {
		return "", nil
	}
	obj := info.Uses[t]
	for _, field := range ftype.Params.List {
		for _, n := range field.Names {
			if info.Defs[n] == obj && obj != nil && isTestingType(obj.Type()) {
				return name, body
			}
		}
	}
	return "", nil
}

// verifiesAlready reports whether the body calls leakcheck.Verify at its
// top level: a second Verify for a test does nothing.
func (s *site) verifiesAlready(body *ast.BlockStmt) bool {
	for _, st := range body.List {
		var call *ast.CallExpr
		switch st := st.(type) {
		case *ast.ExprStmt:
			call, _ = st.X.(*ast.CallExpr)
		case *ast.DeferStmt:
			call = st.Call
		}
		if call == nil {
			continue
		}
		if fn, ok := typeutil.Callee(s.fs.tr.pass.TypesInfo, call).(*types.Func); ok &&
			fn.Pkg() != nil && fn.Pkg().Path() == leakcheckPath && fn.Name() == "Verify" {
			return true
		}
	}
	return false
}

// hoistable reports whether the site's options (its arguments but the
// first) have the same value at the start of body as at the defer: they
// use only constants, goleak's options, and names declared before the
// body, and no IgnoreCurrent unless the defer comes first anyway.
func (s *site) hoistable(body *ast.BlockStmt, first bool) bool {
	for _, a := range s.call.Args[1:] {
		if c, ok := a.(*ast.CallExpr); ok && s.fs.tr.dropped[c] {
			continue
		}
		if !s.stable(a, body.Lbrace, first) {
			return false
		}
	}
	return true
}

// stableArgs reports whether the site's options have the same value
// after m.Run as before: no IgnoreCurrent, no calls but goleak's options.
func (s *site) stableArgs() bool {
	for _, a := range s.call.Args[1:] {
		if c, ok := a.(*ast.CallExpr); ok && (s.fs.tr.dropped[c] || c == s.cleanup || c == s.runOnFailure) {
			continue
		}
		if !s.stable(a, token.NoPos, false) {
			return false
		}
	}
	return true
}

// stableFunc reports whether f, a function value, is the same whenever
// it is computed.
func (s *site) stableFunc(f ast.Expr) bool {
	if _, ok := ast.Unparen(f).(*ast.FuncLit); ok {
		return true
	}
	return s.stable(f, token.NoPos, false)
}

// stable reports whether evaluating e gives the same value earlier:
// constants, names declared before `before` (any, if NoPos) or at
// package level, goleak's options but IgnoreCurrent (unless
// ignoreCurrent), conversions, and composite literals, selectors and
// operators of those.
func (s *site) stable(e ast.Expr, before token.Pos, ignoreCurrent bool) bool {
	info := s.fs.tr.pass.TypesInfo
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		if !ok || n == nil {
			return false
		}
		if e, isExpr := n.(ast.Expr); isExpr && info.Types[e].Value != nil {
			return false // a constant
		}
		switch n := n.(type) {
		case *ast.Ident:
			obj := info.Uses[n]
			if obj == nil || obj.Pkg() == nil || obj.Parent() == obj.Pkg().Scope() {
				return false
			}
			if _, isPkg := obj.(*types.PkgName); isPkg {
				return false
			}
			if before.IsValid() && obj.Pos() >= before {
				ok = false
			}
		case *ast.CallExpr:
			if tv := info.Types[n.Fun]; tv.IsType() {
				return true // a conversion
			}
			switch s.fs.goleakFunc(n) {
			case "", "VerifyNone", "VerifyTestMain", "Find", "Cleanup":
				ok = false
			case "IgnoreCurrent":
				ok = ignoreCurrent
			}
			if ok {
				for _, a := range n.Args {
					ok = ok && s.stable(a, before, ignoreCurrent)
				}
			}
			return false
		case *ast.SelectorExpr:
			if info.Selections[n] == nil {
				ok = s.stable(n.Sel, before, ignoreCurrent) // pkg.Name
			} else {
				ok = s.stable(n.X, before, ignoreCurrent) // a field or method of X
			}
			return false
		case *ast.FuncLit, *ast.UnaryExpr:
			if u, isUnary := n.(*ast.UnaryExpr); isUnary && u.Op != token.ARROW {
				return true
			}
			ok = false
		case *ast.CompositeLit, *ast.KeyValueExpr, *ast.BinaryExpr, *ast.ParenExpr,
			*ast.IndexExpr, *ast.StarExpr, *ast.ArrayType, *ast.BasicLit:
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// freeName returns the first of names that means nothing at pos, and
// the last one otherwise (the result may then shadow it, which the
// caller must avoid by giving enough names).
func (s *site) freeName(pos token.Pos, names ...string) string {
	scope := s.fs.scope(pos)
	for _, n := range names {
		if scope == nil {
			return n
		}
		if _, obj := scope.LookupParent(n, pos); obj == nil {
			return n
		}
	}
	s.fs.tr.block(s.call, "the names "+strings.Join(names, ", ")+" are all taken here: translate this by hand")
	return names[len(names)-1]
}

// errName returns the name of the error variable of a check that fails
// t: err, unless t mentions an err that it would hide.
func (s *site) errName(t ast.Expr) string {
	if mentions(t, "err") {
		return "leakErr"
	}
	return "err"
}

// mentions reports whether e uses the name.
func mentions(e ast.Expr, name string) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// callable returns text, the source of the function value f, in a form
// that can be called.
func callable(f ast.Expr, text string) string {
	switch f.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.FuncLit, *ast.ParenExpr, *ast.IndexExpr, *ast.CallExpr:
		return text
	}
	return "(" + text + ")"
}

// isTestName reports whether name is that of a test, benchmark or fuzz
// target: the prefix, then nothing or a character that is not a
// lower-case letter.
func isTestName(name string) bool {
	for _, prefix := range []string{"Test", "Benchmark", "Fuzz"} {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		if rest == "" {
			return true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		return !unicode.IsLower(r)
	}
	return false
}

// isTestingType reports whether t is *testing.T, *testing.B, *testing.F
// or testing.TB.
func isTestingType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "testing" {
			switch n.Obj().Name() {
			case "T", "B", "F":
				return true
			}
		}
		return false
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "testing" && n.Obj().Name() == "TB"
}
