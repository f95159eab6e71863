package lateadd

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports WaitGroup.Add calls inside the goroutines they count.
var Analyzer = &analysis.Analyzer{
	Name:     "lateadd",
	Doc:      docstring.FromDocGo(doc, "lateadd"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/lateadd",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	decls := map[*types.Func]*ast.FuncDecl{}
	for c := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		d := c.Node().(*ast.FuncDecl)
		if fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok && d.Body != nil {
			decls[fn] = d
		}
	}
	fieldWaits := waitsOnFields(pass, ins)
	for c := range ins.Root().Preorder((*ast.GoStmt)(nil)) {
		g := c.Node().(*ast.GoStmt)
		starter := enclosingBody(c)
		if starter == nil {
			continue
		}
		for _, add := range addsIn(pass, g, decls) {
			if addedBefore(pass, starter, g, add.group) {
				continue
			}
			wait := waitAfter(pass, starter, g, add.group)
			if !wait.IsValid() {
				if v := fieldOf(pass, add.group); v != nil {
					wait = fieldWaits[v]
				}
			}
			if !wait.IsValid() {
				continue
			}
			d := analysis.Diagnostic{Pos: add.call.Pos(), Message: fmt.Sprintf(
				"`%s.Add` inside the goroutine it counts races `%s.Wait` (%s): Wait may return before Add runs; call Add before the go statement (%s)",
				render(pass.Fset, add.group), render(pass.Fset, add.group), lockset.Where(pass.Fset, wait), lockset.Where(pass.Fset, g.Pos()))}
			if add.stmt != nil {
				d.SuggestedFixes = moveBefore(pass, add.stmt, add.next, g)
			}
			pass.Report(d)
		}
	}
	return nil, nil
}

// An add is a WaitGroup.Add in a goroutine's function.
type add struct {
	call *ast.CallExpr
	// group is the group's expression as the starter names it.
	group ast.Expr
	// stmt is the Add's statement when it is the first of a function
	// literal, and next the statement after it (nil if none): the
	// suggested fix moves it.
	stmt, next ast.Stmt
}

// addsIn returns the Adds the goroutine that g starts makes on a group
// it also marks Done (an Add for a goroutine it starts in turn is no
// race): in its function literal, or in the package's function it calls,
// on a group given as an argument.
func addsIn(pass *analysis.Pass, g *ast.GoStmt, decls map[*types.Func]*ast.FuncDecl) []add {
	var adds []add
	if lit, ok := ast.Unparen(g.Call.Fun).(*ast.FuncLit); ok {
		for _, call := range addCalls(pass, lit.Body) {
			if !countsItself(pass, lit.Body, call, groupOf(call)) {
				continue
			}
			a := add{call: call, group: groupOf(call)}
			if len(lit.Body.List) > 0 {
				if es, ok := lit.Body.List[0].(*ast.ExprStmt); ok && es.X == call {
					a.stmt = es
					if len(lit.Body.List) > 1 {
						a.next = lit.Body.List[1]
					}
				}
			}
			adds = append(adds, a)
		}
		return adds
	}
	fn := typeutil.StaticCallee(pass.TypesInfo, g.Call)
	decl := decls[fn]
	if decl == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	for _, call := range addCalls(pass, decl.Body) {
		id, ok := ast.Unparen(groupOf(call)).(*ast.Ident)
		if !ok || !countsItself(pass, decl.Body, call, id) {
			continue
		}
		for i := 0; i < sig.Params().Len() && i < len(g.Call.Args); i++ {
			if pass.TypesInfo.Uses[id] == sig.Params().At(i) {
				adds = append(adds, add{call: call, group: deref(g.Call.Args[i])})
			}
		}
	}
	return adds
}

// countsItself reports whether the Add call in body counts the goroutine
// that runs body: body marks the group Done itself, in a statement of its
// own (deferred or not, outside any branch), and starts nothing after the
// Add (no go statement, no function literal that a runner could start),
// so the Add is not one made for a goroutine it starts in turn.
func countsItself(pass *analysis.Pass, body *ast.BlockStmt, add *ast.CallExpr, group ast.Expr) bool {
	done := false
	for _, st := range body.List {
		var call ast.Expr
		switch st := st.(type) {
		case *ast.ExprStmt:
			call = st.X
		case *ast.DeferStmt:
			call = st.Call
		}
		if c, ok := call.(*ast.CallExpr); ok && isWaitGroupMethod(pass, c, "Done") && sameGroup(pass, groupOf(c), group) {
			done = true
		}
	}
	startsMore := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.GoStmt, *ast.FuncLit:
			if n.Pos() > add.Pos() {
				startsMore = true
			}
			return false
		}
		return !startsMore
	})
	return done && !startsMore
}

// addCalls returns the calls of WaitGroup.Add in body, outside nested
// function literals.
func addCalls(pass *analysis.Pass, body *ast.BlockStmt) []*ast.CallExpr {
	var calls []*ast.CallExpr
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if isWaitGroupMethod(pass, n, "Add") {
				calls = append(calls, n)
			}
		}
		return true
	})
	return calls
}

// isWaitGroupMethod reports whether call calls sync.WaitGroup's method
// name.
func isWaitGroupMethod(pass *analysis.Pass, call *ast.CallExpr, name string) bool {
	fn, ok := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Name() != name || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == "WaitGroup"
}

// groupOf returns the group expression a method call is made on, or the
// call itself when it is not a selector (the call's own expression then
// names no group the others share).
func groupOf(call *ast.CallExpr) ast.Expr {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return call
	}
	return deref(sel.X)
}

// deref strips parentheses and & from e.
func deref(e ast.Expr) ast.Expr {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		return ast.Unparen(u.X)
	}
	if s, ok := e.(*ast.StarExpr); ok {
		return ast.Unparen(s.X)
	}
	return e
}

// enclosingBody returns the body of the function the go statement at c
// is in.
func enclosingBody(c inspector.Cursor) *ast.BlockStmt {
	for p := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := p.Node().(type) {
		case *ast.FuncDecl:
			return n.Body
		case *ast.FuncLit:
			return n.Body
		}
	}
	return nil
}

// sameGroup reports whether a and b name the same group: the same
// variable, or the same field path from the same variable.
func sameGroup(pass *analysis.Pass, a, b ast.Expr) bool {
	a, b = deref(a), deref(b)
	switch a := a.(type) {
	case *ast.Ident:
		b, ok := b.(*ast.Ident)
		return ok && pass.TypesInfo.ObjectOf(a) != nil && pass.TypesInfo.ObjectOf(a) == pass.TypesInfo.ObjectOf(b)
	case *ast.SelectorExpr:
		b, ok := b.(*ast.SelectorExpr)
		return ok && pass.TypesInfo.ObjectOf(a.Sel) == pass.TypesInfo.ObjectOf(b.Sel) && sameGroup(pass, a.X, b.X)
	}
	return false
}

// callsOn returns the calls of the WaitGroup method name on group in
// body, outside nested function literals, in source order.
func callsOn(pass *analysis.Pass, body *ast.BlockStmt, group ast.Expr, name string) []*ast.CallExpr {
	var calls []*ast.CallExpr
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if isWaitGroupMethod(pass, n, name) && sameGroup(pass, groupOf(n), group) {
				calls = append(calls, n)
			}
		}
		return true
	})
	return calls
}

// addedBefore reports whether the starter adds to group before the go
// statement g, or in a loop around it: the goroutine is counted.
func addedBefore(pass *analysis.Pass, starter *ast.BlockStmt, g *ast.GoStmt, group ast.Expr) bool {
	for _, call := range callsOn(pass, starter, group, "Add") {
		if call.Pos() < g.Pos() || inLoopAround(starter, g, call) {
			return true
		}
	}
	return false
}

// inLoopAround reports whether call is in a loop of body that also
// holds g.
func inLoopAround(body *ast.BlockStmt, g *ast.GoStmt, call *ast.CallExpr) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			if n.Pos() <= g.Pos() && g.End() <= n.End() && n.Pos() <= call.Pos() && call.End() <= n.End() {
				found = true
			}
		}
		return !found
	})
	return found
}

// waitAfter returns the first Wait on group after g in the starter.
func waitAfter(pass *analysis.Pass, starter *ast.BlockStmt, g *ast.GoStmt, group ast.Expr) token.Pos {
	for _, call := range callsOn(pass, starter, group, "Wait") {
		if call.Pos() > g.End() {
			return call.Pos()
		}
	}
	return token.NoPos
}

// fieldOf returns the struct field group selects, if it does.
func fieldOf(pass *analysis.Pass, group ast.Expr) *types.Var {
	sel, ok := deref(group).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	v, ok := pass.TypesInfo.ObjectOf(sel.Sel).(*types.Var)
	if !ok || !v.IsField() {
		return nil
	}
	return v
}

// waitsOnFields returns, for each WaitGroup field, the first Wait on it
// in the package.
func waitsOnFields(pass *analysis.Pass, ins *inspector.Inspector) map[*types.Var]token.Pos {
	waits := map[*types.Var]token.Pos{}
	for c := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		call := c.Node().(*ast.CallExpr)
		if !isWaitGroupMethod(pass, call, "Wait") {
			continue
		}
		if v := fieldOf(pass, groupOf(call)); v != nil {
			if _, ok := waits[v]; !ok {
				waits[v] = call.Pos()
			}
		}
	}
	return waits
}

// render prints e as the source does.
func render(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, e); err != nil {
		return "the WaitGroup"
	}
	return b.String()
}

// moveBefore moves stmt, the first statement of a go statement's
// function literal, before the go statement g.
func moveBefore(pass *analysis.Pass, stmt, next ast.Stmt, g *ast.GoStmt) []analysis.SuggestedFix {
	var b bytes.Buffer
	if err := format.Node(&b, pass.Fset, stmt); err != nil {
		return nil
	}
	end := stmt.End()
	if next != nil {
		end = next.Pos()
	}
	file := pass.Fset.File(g.Pos())
	indent := ""
	if file != nil {
		line := file.LineStart(file.Line(g.Pos()))
		indent = string(bytes.Repeat([]byte("\t"), int(g.Pos()-line)))
	}
	return []analysis.SuggestedFix{{
		Message: "call Add before the go statement",
		TextEdits: []analysis.TextEdit{
			{Pos: g.Pos(), End: g.Pos(), NewText: []byte(b.String() + "\n" + indent)},
			{Pos: stmt.Pos(), End: end},
		},
	}}
}
