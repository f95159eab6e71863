package tickerstop

import (
	_ "embed"
	"go/ast"
	"go/types"
	"go/version"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lifetime"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/loopexit"
)

//go:embed doc.go
var doc string

// Analyzer reports tickers that are never stopped in code built for Go
// versions whose runtime never frees them.
var Analyzer = &analysis.Analyzer{
	Name:     "tickerstop",
	Doc:      docstring.FromDocGo(doc, "tickerstop"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/tickerstop",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// allVersions is the -tickerstop.allversions flag.
var allVersions bool

func init() {
	Analyzer.Flags.BoolVar(&allVersions, "allversions", false,
		"report unstopped tickers whatever the Go version (since go1.23 the garbage collector frees them)")
}

// collectedSince is the first Go version whose garbage collector frees
// unreferenced tickers that were never stopped.
const collectedSince = "go1.23"

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	judge := lifetime.New(pass)
	for file := range insp.Root().Preorder((*ast.File)(nil)) {
		if !allVersions && !leaksTickers(pass.TypesInfo.FileVersions[file.Node().(*ast.File)]) {
			continue
		}
		for c := range file.Preorder((*ast.CallExpr)(nil)) {
			fn := typeutil.StaticCallee(pass.TypesInfo, c.Node().(*ast.CallExpr))
			if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "time" || judge.Process(c) {
				continue
			}
			switch fn.Name() {
			case "Tick":
				checkTick(pass, c)
			case "NewTicker":
				checkNewTicker(pass, c)
			}
		}
	}
	return nil, nil
}

// leaksTickers reports whether a file built for Go version v runs on a
// runtime that never frees unstopped tickers. An unknown version is
// taken as a recent one: better quiet than wrong.
func leaksTickers(v string) bool {
	return version.IsValid(v) && version.Compare(v, collectedSince) < 0
}

// checkTick reports the time.Tick call at c unless the ticker is meant to
// live as long as the process: in tests, or as the channel of a loop that
// never ends, so the function making it never returns.
func checkTick(pass *analysis.Pass, c inspector.Cursor) {
	if lifetime.IsTestFile(pass, c.Node()) {
		return
	}
	if r, ok := c.Parent().Node().(*ast.RangeStmt); ok && r.X == c.Node() {
		label := ""
		if l, ok := c.Parent().Parent().Node().(*ast.LabeledStmt); ok {
			label = l.Label.Name
		}
		if !loopexit.Exits(pass.TypesInfo, r, label) {
			return
		}
	}
	pass.ReportRangef(c.Node(), "time.Tick leaks its ticker once the caller stops receiving (the runtime frees unstopped tickers only since go1.23): use time.NewTicker and defer t.Stop()")
}

// checkNewTicker reports the time.NewTicker call at c if the ticker it
// makes cannot be stopped: dropped, used only for its channel, or kept
// in a local variable whose Stop is never mentioned and that never
// leaves the function.
func checkNewTicker(pass *analysis.Pass, c inspector.Cursor) {
	call := c.Node().(*ast.CallExpr)
	const msg = "(the runtime frees unstopped tickers only since go1.23)"
	var owner *ast.Ident
	switch p := c.Parent().Node().(type) {
	case *ast.ExprStmt:
		pass.ReportRangef(call, "the ticker made here is dropped and can never be stopped %s: keep it and defer t.Stop()", msg)
		return
	case *ast.SelectorExpr:
		pass.ReportRangef(call, "the ticker made here is only used for its channel and can never be stopped %s: keep it and defer t.Stop()", msg)
		return
	case *ast.AssignStmt:
		owner = assignee(p.Lhs, p.Rhs, call)
	case *ast.ValueSpec:
		owner = assignee(identExprs(p.Names), p.Values, call)
	}
	if owner == nil {
		return // returned, passed on or stored: its new owner stops it
	}
	if owner.Name == "_" {
		pass.ReportRangef(call, "the ticker made here is dropped and can never be stopped %s: keep it and defer t.Stop()", msg)
		return
	}
	v, ok := pass.TypesInfo.ObjectOf(owner).(*types.Var)
	if !ok || !declaredInBody(c, v) {
		return // a package variable, a parameter, or a result a bare return passes on
	}
	fn, ok := enclosingFunc(c)
	if !ok || !stoppedOrPassedOn(pass.TypesInfo, fn, v) {
		pass.ReportRangef(call, "ticker %s is never stopped %s: add defer %s.Stop()", owner.Name, msg, owner.Name)
	}
}

// assignee returns the identifier that call, one of rhs, is assigned to,
// or nil if it is assigned to something else (a field, an element).
func assignee(lhs, rhs []ast.Expr, call ast.Expr) *ast.Ident {
	if len(lhs) != len(rhs) {
		return nil
	}
	for i, r := range rhs {
		if ast.Unparen(r) == call {
			id, _ := lhs[i].(*ast.Ident)
			return id
		}
	}
	return nil
}

func identExprs(ids []*ast.Ident) []ast.Expr {
	es := make([]ast.Expr, len(ids))
	for i, id := range ids {
		es[i] = id
	}
	return es
}

// declaredInBody reports whether v is declared in the body of a function
// around c, not at package level nor among a function's parameters and
// results.
func declaredInBody(c inspector.Cursor, v *types.Var) bool {
	for f := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var typ *ast.FuncType
		var body *ast.BlockStmt
		switch f := f.Node().(type) {
		case *ast.FuncDecl:
			typ, body = f.Type, f.Body
		case *ast.FuncLit:
			typ, body = f.Type, f.Body
		}
		if typ.Pos() <= v.Pos() && v.Pos() < typ.End() {
			return false
		}
		if body.Pos() <= v.Pos() && v.Pos() < body.End() {
			return true
		}
	}
	return false
}

// enclosingFunc returns the outermost function around c: the ticker's
// variable is visible in all of it, closures included.
func enclosingFunc(c inspector.Cursor) (inspector.Cursor, bool) {
	var outer inspector.Cursor
	found := false
	for f := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		outer, found = f, true
	}
	return outer, found
}

// stoppedOrPassedOn reports whether, somewhere in fn, v's Stop method is
// called or taken as a value (defer t.Stop(), cleanup(t.Stop)), or v is
// used other than for its channel, Reset or being assigned to, which
// hands the ticker to code that may stop it.
func stoppedOrPassedOn(info *types.Info, fn inspector.Cursor, v *types.Var) bool {
	for c := range fn.Preorder((*ast.Ident)(nil)) {
		if info.Uses[c.Node().(*ast.Ident)] != v {
			continue
		}
		switch p := c.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if p.Sel.Name == "Stop" {
				return true
			}
		case *ast.AssignStmt:
			if isLHS(p, c.Node()) {
				continue
			}
			return true
		default:
			return true
		}
	}
	return false
}

func isLHS(a *ast.AssignStmt, n ast.Node) bool {
	for _, l := range a.Lhs {
		if l == n {
			return true
		}
	}
	return false
}
