// Package loopexit answers, from the syntax and types of one function,
// whether a loop can ever end. It is shared by the analyzers that must
// tell a goroutine's endless loop from one its owner can stop.
package loopexit

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Endless reports whether loop only ends through a statement in its
// body: a for statement without a condition, or a range over a ticker's
// channel (t.C of a *time.Ticker, or time.Tick), which is never closed.
func Endless(info *types.Info, loop ast.Stmt) bool {
	switch loop := loop.(type) {
	case *ast.ForStmt:
		return loop.Cond == nil
	case *ast.RangeStmt:
		return IsTickerChan(info, loop.X)
	}
	return false
}

// IsTickerChan reports whether e is the channel of a ticker: t.C for a
// time.Ticker t, or a call of time.Tick.
func IsTickerChan(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		if e.Sel.Name != "C" {
			return false
		}
		t := info.TypeOf(e.X)
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		return isNamed(t, "time", "Ticker")
	case *ast.CallExpr:
		fn := typeutil.StaticCallee(info, e)
		return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" && fn.Name() == "Tick"
	}
	return false
}

// Exits reports whether control can leave loop, whose label is label (or
// ""), from inside its body: by a return, a break or goto out of it, or a
// call that never returns (panic, os.Exit, runtime.Goexit, t.Fatal,
// log.Fatal and the like). A receive from a done channel (ctx.Done(), a
// chan struct{}, or a channel named like done, quit or stop) also counts:
// it is how the loop's owner asks it to stop, and where the exit that
// follows is out of sight (a flag, a helper) we trust it rather than
// report a loop that may well end.
//
// Function literals inside the loop are not looked into: a return there
// leaves the literal, not the loop.
func Exits(info *types.Info, loop ast.Stmt, label string) bool {
	return ExitsBesides(info, loop, label, nil)
}

// ExitsBesides is [Exits] with the node skip (a case of a select in the
// loop) left out: whether the loop has a way out other than through it.
func ExitsBesides(info *types.Info, loop ast.Stmt, label string, skip ast.Node) bool {
	var body *ast.BlockStmt
	switch loop := loop.(type) {
	case *ast.ForStmt:
		body = loop.Body
	case *ast.RangeStmt:
		body = loop.Body
	default:
		return true
	}
	inner := innerLabels(body)
	exits := false
	var stack []ast.Node // enclosing nodes inside body
	ast.Inspect(body, func(n ast.Node) bool {
		if exits {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if skip != nil && n == skip {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			exits = true
		case *ast.BranchStmt:
			exits = branchExits(n, label, inner, breakableDepth(stack))
		case *ast.CallExpr:
			exits = neverReturns(info, n)
		case *ast.UnaryExpr:
			exits = n.Op == token.ARROW && isDoneChan(info, n.X)
		}
		stack = append(stack, n)
		return true
	})
	return exits
}

// branchExits reports whether the branch statement b leaves the loop
// being checked. depth is the number of statements between b and the loop
// that an unlabelled break would leave instead (switch, select, inner
// loops); inner holds the labels declared inside the loop.
func branchExits(b *ast.BranchStmt, label string, inner map[string]bool, depth int) bool {
	if b.Label == nil {
		return b.Tok == token.BREAK && depth == 0
	}
	name := b.Label.Name
	switch {
	case inner[name]:
		return false
	case name == label:
		return b.Tok == token.BREAK // continue restarts the loop
	default:
		return true // any branch to a label outside the loop leaves it
	}
}

// breakableDepth counts the statements in stack an unlabelled break
// would leave.
func breakableDepth(stack []ast.Node) int {
	n := 0
	for _, s := range stack {
		switch s.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			n++
		}
	}
	return n
}

// innerLabels returns the labels declared inside body.
func innerLabels(body *ast.BlockStmt) map[string]bool {
	labels := make(map[string]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.LabeledStmt:
			labels[n.Label.Name] = true
		}
		return true
	})
	return labels
}

// noReturnNames are the names of functions and methods that end the
// goroutine or the process in the standard library (panic, os.Exit,
// runtime.Goexit, log.Fatal, testing's FailNow and Skip families) and in
// the common logging packages, whose Fatal methods exit too. Matching by
// name errs towards "the loop can end", which is the safe side here.
var noReturnNames = map[string]bool{
	"panic": true, "Exit": true, "Goexit": true,
	"Fatal": true, "Fatalf": true, "Fatalln": true,
	"Panic": true, "Panicf": true, "Panicln": true,
	"FailNow": true, "SkipNow": true, "Skip": true, "Skipf": true,
}

func neverReturns(info *types.Info, call *ast.CallExpr) bool {
	switch obj := typeutil.Callee(info, call).(type) {
	case *types.Builtin:
		return obj.Name() == "panic"
	case *types.Func:
		return noReturnNames[obj.Name()]
	}
	return false
}

// doneWords are the words that, in a channel's name, say it signals the
// end of something.
var doneWords = []string{"done", "quit", "stop", "clos", "exit", "shutdown", "cancel"}

// isDoneChan reports whether receiving from ch looks like waiting for the
// order to stop: ch is a chan struct{} (ctx.Done(), close-only signal
// channels) or is named like one.
func isDoneChan(info *types.Info, ch ast.Expr) bool {
	t := info.TypeOf(ch)
	if t == nil {
		return false
	}
	if c, ok := t.Underlying().(*types.Chan); ok {
		if s, ok := c.Elem().Underlying().(*types.Struct); ok && s.NumFields() == 0 {
			return true
		}
	}
	name := ""
	switch ch := ast.Unparen(ch).(type) {
	case *ast.Ident:
		name = ch.Name
	case *ast.SelectorExpr:
		name = ch.Sel.Name
	case *ast.CallExpr:
		if sel, ok := ch.Fun.(*ast.SelectorExpr); ok {
			name = sel.Sel.Name
		}
	}
	name = strings.ToLower(name)
	for _, w := range doneWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == pkg && obj.Name() == name
}
