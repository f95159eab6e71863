package doublelock

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

// unlockFix returns the fix of a return that keeps l's lock: the unlock,
// written as the function's Lock call names the lock, just before the
// return. It returns nil when the lock was taken in a callee, whose call
// names no lock to unlock.
func unlockFix(pass *analysis.Pass, l lockset.Leak) []analysis.SuggestedFix {
	if len(l.Site.Chain) != 1 {
		return nil
	}
	lock := lockCall(pass, l.Site.Pos)
	if lock == nil {
		return nil
	}
	sel := lock.Fun.(*ast.SelectorExpr)
	unlock := "Unlock"
	if sel.Sel.Name == "RLock" {
		unlock = "RUnlock"
	}
	ret := l.Return.Pos()
	text := types.ExprString(sel.X) + "." + unlock + "()\n" + indentation(pass, ret)
	return []analysis.SuggestedFix{{
		Message:   "unlock " + types.ExprString(sel.X) + " before returning",
		TextEdits: []analysis.TextEdit{{Pos: ret, End: ret, NewText: []byte(text)}},
	}}
}

// lockCall returns the x.Lock() or x.RLock() call whose parenthesis is
// at lparen, or nil.
func lockCall(pass *analysis.Pass, lparen token.Pos) *ast.CallExpr {
	for _, f := range pass.Files {
		if lparen < f.FileStart || lparen > f.FileEnd {
			continue
		}
		path, _ := astutil.PathEnclosingInterval(f, lparen, lparen)
		for _, n := range path {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Lparen != lparen {
				continue
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Lock" || sel.Sel.Name == "RLock") {
				return call
			}
		}
	}
	return nil
}

// indentation returns the white space that starts pos's line, or a tab
// when the source cannot be read.
func indentation(pass *analysis.Pass, pos token.Pos) string {
	file := pass.Fset.File(pos)
	if file == nil || pass.ReadFile == nil {
		return "\t"
	}
	src, err := pass.ReadFile(file.Name())
	if err != nil {
		return "\t"
	}
	start, at := file.Offset(file.LineStart(file.Line(pos))), file.Offset(pos)
	if start > at || at > len(src) {
		return "\t"
	}
	line := string(src[start:at])
	if strings.TrimLeft(line, " \t") != "" {
		return "\t"
	}
	return line
}
