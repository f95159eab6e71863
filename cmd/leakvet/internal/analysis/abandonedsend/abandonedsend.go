package abandonedsend

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
)

//go:embed doc.go
var doc string

// Analyzer reports sends on unbuffered channels that the receiving
// function can abandon by returning early.
var Analyzer = &analysis.Analyzer{
	Name:     "abandonedsend",
	Doc:      docstring.FromDocGo(doc, "abandonedsend"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/abandonedsend",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	decls := map[*types.Func]*ast.FuncDecl{}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[obj] = fd
				}
			}
		}
	}
	for fn := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var g *cfg.CFG
		switch n := fn.Node().(type) {
		case *ast.FuncDecl:
			if n.Body == nil {
				continue
			}
			g = cfgs.FuncDecl(n)
		case *ast.FuncLit:
			g = cfgs.FuncLit(n)
		}
		if g == nil {
			continue
		}
		for _, ch := range unbufferedChans(pass.TypesInfo, fn) {
			check(pass, decls, fn, g, ch)
		}
	}
	return nil, nil
}

// A madeChan is a local channel variable and the make call that gave it
// its value.
type madeChan struct {
	v    *types.Var
	make *ast.CallExpr
}

// unbufferedChans returns the variables declared in fn's body to which
// fn, outside nested function literals, assigns an unbuffered channel
// made with make. Variables declared elsewhere (package variables,
// captured variables, named results returned by a bare return) may be
// used where the analyzer does not look.
func unbufferedChans(info *types.Info, fn inspector.Cursor) []madeChan {
	var body *ast.BlockStmt
	switch n := fn.Node().(type) {
	case *ast.FuncDecl:
		body = n.Body
	case *ast.FuncLit:
		body = n.Body
	}
	var chans []madeChan
	add := func(lhs []ast.Expr, rhs []ast.Expr) {
		if len(lhs) != len(rhs) {
			return
		}
		for i, r := range rhs {
			call, ok := ast.Unparen(r).(*ast.CallExpr)
			if !ok || !isUnbufferedMake(info, call) {
				continue
			}
			if id, ok := lhs[i].(*ast.Ident); ok {
				v, ok := info.ObjectOf(id).(*types.Var)
				if ok && body.Pos() <= v.Pos() && v.Pos() < body.End() {
					chans = append(chans, madeChan{v, call})
				}
			}
		}
	}
	fn.Inspect([]ast.Node{(*ast.FuncLit)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)}, func(c inspector.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.FuncLit:
			return n == fn.Node()
		case *ast.AssignStmt:
			add(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			add(lhs, n.Values)
		}
		return true
	})
	return chans
}

// isUnbufferedMake reports whether call is make(chan T) or
// make(chan T, 0).
func isUnbufferedMake(info *types.Info, call *ast.CallExpr) bool {
	if b, ok := typeutil.Callee(info, call).(*types.Builtin); !ok || b.Name() != "make" {
		return false
	}
	if _, ok := info.TypeOf(call).Underlying().(*types.Chan); !ok {
		return false
	}
	switch len(call.Args) {
	case 1:
		return true
	case 2:
		size := info.Types[call.Args[1]].Value
		return size != nil && constant.Sign(size) == 0
	}
	return false
}

// check reports ch if it has the abandoned-send shape in fn, whose
// control flow graph is g.
func check(pass *analysis.Pass, decls map[*types.Func]*ast.FuncDecl, fn inspector.Cursor, g *cfg.CFG, ch madeChan) {
	u, ok := classifyUses(pass.TypesInfo, decls, fn, ch)
	if !ok || u.goStmt == nil || len(u.sends) == 0 {
		return
	}
	if loop := innermostLoop(u.goCursor); loop != nil {
		// A goroutine started in a loop is judged only when each turn
		// makes its own channel: then the turn is the function.
		mk, found := fn.FindNode(ch.make)
		if !found || innermostLoop(mk) != loop {
			return
		}
	}
	ret := abandoningReturn(pass.TypesInfo, fn.Node(), g, u.goStmt, ch.v)
	if ret == nil || afterCountedReceives(pass.TypesInfo, fn, ret, ch.v) {
		return
	}
	send := u.sends[0]
	d := analysis.Diagnostic{
		Pos: send.Pos(),
		End: send.End(),
		Message: "send on unbuffered channel " + ch.v.Name() + " blocks forever if the function returns at line " +
			strconv.Itoa(pass.Fset.Position(ret.Pos()).Line) + " without receiving: give the channel a buffer, make(chan T, 1)",
	}
	if len(u.sends) == 1 && !u.sendInLoop {
		d.SuggestedFixes = []analysis.SuggestedFix{bufferFix(ch.make)}
	}
	pass.Report(d)
}

// afterCountedReceives reports whether ret is a return in the body of a
// loop that receives from ch in a select, after the select rather than
// in one of its cases: the loop returns once it has received enough
// (if done == 3 { return }), which the paths the analyzer walks cannot
// count.
func afterCountedReceives(info *types.Info, fn inspector.Cursor, ret *ast.ReturnStmt, ch *types.Var) bool {
	c, ok := fn.FindNode(ret)
	if !ok {
		return false
	}
	loop := innermostLoop(c)
	if loop == nil || !receives(loop, ch, info) {
		return false
	}
	for p := range c.Enclosing((*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		_, inCase := p.Node().(*ast.CommClause)
		return !inCase
	}
	return false
}

// bufferFix gives the channel made by call a buffer of one.
func bufferFix(call *ast.CallExpr) analysis.SuggestedFix {
	edit := analysis.TextEdit{Pos: call.Args[0].End(), End: call.Args[0].End(), NewText: []byte(", 1")}
	if len(call.Args) == 2 {
		edit = analysis.TextEdit{Pos: call.Args[1].Pos(), End: call.Args[1].End(), NewText: []byte("1")}
	}
	return analysis.SuggestedFix{Message: "Give the channel a buffer of one", TextEdits: []analysis.TextEdit{edit}}
}

// innermostLoop returns the innermost loop of fn enclosing c, where c
// could run more than once, or nil.
func innermostLoop(c inspector.Cursor) ast.Node {
	for p := range c.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		switch p.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil
		}
		return p.Node()
	}
	return nil
}
