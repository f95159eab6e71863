package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
)

// A blockedFrame is the top frame in the kernel's file of a goroutine
// of the README's backtrace: the function it blocks in and how.
type blockedFrame struct {
	state string // semacquire, chan send, chan receive, select
	recv  string // the method's receiver type, or ""
	name  string // the function or method, without .funcN
	lit   bool   // the frame is a function literal in it
}

// frameFunc matches "pkg.(*T).m(...)", "pkg.T.m(...)", "pkg.f.func1(...)".
var frameFunc = regexp.MustCompile(`^[\w./-]+?\.(?:\(\*?(\w+)\)\.)?(\w+)((?:\.func\d+)*)\(`)

// parseFrame reads the function line of a frame.
func parseFrame(state, line string) (blockedFrame, bool) {
	m := frameFunc.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return blockedFrame{}, false
	}
	return blockedFrame{state: state, recv: m[1], name: m[2], lit: m[3] != ""}, true
}

// blockingLines returns the lines of file's function f where a
// goroutine in f's state can block: the backtraces of GoKer's READMEs
// name the function but were taken before the kernels' last edits, so
// their line numbers no longer match.
func blockingLines(file string, f blockedFrame) []int {
	fset := token.NewFileSet()
	astf, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		return nil
	}
	var lines []int
	for _, decl := range astf.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Name.Name != f.name || fd.Body == nil || recvName(fd) != f.recv {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok && !f.lit {
				return false
			}
			if blocksAs(n, f.state) {
				lines = append(lines, fset.Position(n.Pos()).Line)
			}
			return true
		})
	}
	return lines
}

// recvName returns the receiver's type name of a method, or "".
func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// blocksAs reports whether n is an operation that blocks in state.
func blocksAs(n ast.Node, state string) bool {
	switch {
	case strings.HasPrefix(state, "semacquire"), strings.HasPrefix(state, "sync."):
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		return ok && (sel.Sel.Name == "Lock" || sel.Sel.Name == "RLock" || sel.Sel.Name == "Wait")
	case strings.HasPrefix(state, "chan send"):
		_, ok := n.(*ast.SendStmt)
		return ok
	case strings.HasPrefix(state, "chan receive"):
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			return true
		}
		_, ok := n.(*ast.RangeStmt)
		return ok
	case strings.HasPrefix(state, "select"):
		_, ok := n.(*ast.SelectStmt)
		return ok
	}
	return false
}
