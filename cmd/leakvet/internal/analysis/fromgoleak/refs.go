package fromgoleak

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// walk calls fn for every node of the file with its ancestors, outermost
// first. The stack is reused: fn must copy it to keep it.
func (fs *fileState) walk(fn func(n ast.Node, stack []ast.Node)) {
	var stack []ast.Node
	ast.Inspect(fs.file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		fn(n, stack)
		stack = append(stack, n)
		return true
	})
}

// goleakObject returns the object of goleak that e names as goleak.X, or
// nil.
func (fs *fileState) goleakObject(e ast.Expr) types.Object {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	info := fs.tr.pass.TypesInfo
	if pn, ok := info.Uses[id].(*types.PkgName); !ok || pn.Imported().Path() != goleakPath {
		return nil
	}
	return info.Uses[sel.Sel]
}

// goleakFunc returns the name of the goleak function that call calls, if
// it calls one.
func (fs *fileState) goleakFunc(call *ast.CallExpr) string {
	if fn, ok := fs.goleakObject(call.Fun).(*types.Func); ok {
		return fn.Name()
	}
	return ""
}

// collectSites finds the calls of goleak's checks: VerifyNone,
// VerifyTestMain and Find.
func (fs *fileState) collectSites() {
	fs.walk(func(n ast.Node, stack []ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		name := fs.goleakFunc(call)
		switch name {
		case "VerifyNone", "VerifyTestMain", "Find":
		default:
			return
		}
		for _, a := range stack {
			if outer, ok := a.(*ast.CallExpr); ok && fs.tr.sites[outer] != nil {
				fs.tr.block(call, "goleak."+name+" inside the arguments of another goleak check: translate it by hand")
				return
			}
		}
		s := &site{fs: fs, call: call, name: name, stack: slices.Clone(stack)}
		s.u = &unit{node: call, anchor: s.statement()}
		fs.tr.sites[call] = s
		fs.sites = append(fs.sites, s)
		fs.units = append(fs.units, s.u)
	})
}

// translateReferences translates every goleak.X of the file in place,
// except the calls of goleak's checks, and records what cannot be.
func (fs *fileState) translateReferences() {
	fs.walk(func(n ast.Node, stack []ast.Node) {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || fs.goleakObject(sel) == nil {
			return
		}
		fs.reference(sel, stack)
	})
	fs.translateComments()
	if len(fs.goleakImports) > 0 && len(fs.units) == 0 {
		// Imported, never used: a blank import, which only keeps goleak
		// in go.mod.
		u := fs.anchorUnit(fs.goleakImports[0])
		u.changes = append(u.changes, "the blank import of goleak goes")
		u.ref = fs.goleakImports[0]
	}
}

// commentedType matches, in a comment, goleak's types that leakcheck has
// under the same name: the code's change of type leaves such a comment
// wrong.
var commentedType = regexp.MustCompile(`\bgoleak\.(Option|TestingM)\b`)

// translateComments renames goleak's types where the doc comments of a
// declaration, or of its specs and fields, name them ("returns a
// goleak.Option"), with the declaration's change. Other comments are
// left as written, listed by their own rule.
func (fs *fileState) translateComments() {
	for _, d := range fs.file.Decls {
		ast.Inspect(d, func(n ast.Node) bool {
			var doc *ast.CommentGroup
			switch n := n.(type) {
			case *ast.FuncDecl:
				doc = n.Doc
			case *ast.GenDecl:
				doc = n.Doc
			case *ast.TypeSpec:
				doc = n.Doc
			case *ast.ValueSpec:
				doc = n.Doc
			case *ast.Field:
				doc = n.Doc
			}
			if doc == nil {
				return true
			}
			for _, c := range doc.List {
				for _, m := range commentedType.FindAllStringSubmatchIndex(c.Text, -1) {
					pos := c.Pos() + token.Pos(m[0])
					name := c.Text[m[2]:m[3]]
					fs.change(fs.anchorUnit(d), c, pos, pos+token.Pos(len("goleak")), fs.leakcheck(pos),
						"goleak."+name+" in a comment becomes leakcheck."+name)
				}
			}
			return true
		})
	}
}

// Options whose leakcheck counterpart has the same name and meaning.
var sameOptions = map[string]bool{
	"IgnoreTopFunction": true,
	"IgnoreAnyFunction": true,
	"IgnoreCreatedBy":   true,
	"IgnoreCurrent":     true,
}

func (fs *fileState) reference(sel *ast.SelectorExpr, stack []ast.Node) {
	tr := fs.tr
	obj := fs.goleakObject(sel)
	name := obj.Name()
	parent := stack[len(stack)-1]
	call, isCall := parent.(*ast.CallExpr)
	isCall = isCall && call.Fun == sel
	u := fs.unitFor(stack)
	rename := func(to string) {
		fs.change(u, sel, sel.Pos(), sel.End(), fs.leakcheck(sel.Pos())+"."+to, "goleak."+name+" becomes leakcheck."+to)
	}
	switch obj.(type) {
	case *types.TypeName:
		switch name {
		case "Option", "TestingM":
			rename(name)
		case "TestingT":
			tr.block(sel, "goleak.TestingT has no leakcheck counterpart: use testing.TB, which leakcheck.Verify takes")
		default:
			tr.block(sel, "goleak."+name+" has no leakcheck counterpart: translate it by hand")
		}
		return
	case *types.Func:
	default:
		tr.block(sel, "goleak."+name+" has no leakcheck counterpart: translate it by hand")
		return
	}
	switch name {
	case "VerifyNone", "VerifyTestMain", "Find":
		if !isCall {
			tr.block(sel, "goleak."+name+" used as a value: call it directly, or translate this use by hand")
		}
		return // translated with its site
	}
	if !isCall {
		tr.block(sel, "goleak."+name+" used as a value: call it directly, or translate this use by hand")
		return
	}
	site, direct := fs.directSite(call, stack[:len(stack)-1])
	switch name {
	case "IgnoreTopFunction", "IgnoreAnyFunction", "IgnoreCreatedBy":
		if len(call.Args) == 1 {
			if s, ok := fs.constString(call.Args[0]); ok {
				switch {
				case strings.TrimSpace(s) == "":
					tr.block(call, "goleak."+name+" with an empty name ignores nothing, and leakcheck rejects it: remove it")
					return
				case strings.ContainsAny(s, " \t\n"):
					tr.block(call, "goleak."+name+"("+strconv.Quote(s)+") ignores nothing (a function name has no blanks), and leakcheck rejects it: remove it or fix the name")
					return
				}
			}
		}
		rename(name)
	case "IgnoreCurrent":
		rename(name)
	case "RunOnFailure":
		if site != nil && site.name != "VerifyTestMain" {
			tr.block(call, "goleak."+site.name+" fails when given goleak.RunOnFailure, an option of VerifyTestMain only: remove it")
			return
		}
		if site != nil && direct {
			site.runOnFailure = call // a rewrite of the whole call may leave it out
		}
		rename("CheckOnFailure")
	case "Cleanup":
		switch {
		case site == nil || site.name != "VerifyTestMain" || !direct:
			tr.block(call, "goleak.Cleanup outside the arguments of goleak.VerifyTestMain: translate it by hand, "+
				"calling the function after the check (goleak passes it 0 from VerifyNone, and rejects it in Find)")
		case site.cleanup != nil:
			tr.block(call, "two goleak.Cleanup options, of which goleak runs the last: keep one, then run again")
		default:
			site.cleanup = call
		}
	case "MaxRetryAttempts", "MaxSleepInterval":
		tr.addWait(fs, call, stack[len(stack)-2], u)
	default:
		tr.block(call, "goleak."+name+" has no leakcheck counterpart: translate it by hand "+
			"(leakcheck.IgnoreIf ignores goroutines by any predicate over their stack, state and creator)")
	}
}

// directSite returns the check whose arguments contain the option call
// (whose ancestors are stack), and whether call is one of them rather
// than nested in one.
func (fs *fileState) directSite(call *ast.CallExpr, stack []ast.Node) (*site, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if c, ok := stack[i].(*ast.CallExpr); ok {
			if s := fs.tr.sites[c]; s != nil {
				return s, i == len(stack)-1 && slices.Contains(c.Args, ast.Expr(call))
			}
		}
	}
	return nil, false
}

func (fs *fileState) constString(e ast.Expr) (string, bool) {
	tv := fs.tr.pass.TypesInfo.Types[e]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

func (fs *fileState) constInt(e ast.Expr) (int64, bool) {
	tv := fs.tr.pass.TypesInfo.Types[e]
	if tv.Value == nil {
		return 0, false
	}
	return constant.Int64Val(constant.ToInt(tv.Value))
}

// A waitGroup is the goleak.MaxRetryAttempts and MaxSleepInterval calls
// of one list of options (the arguments of a call, the elements of a
// composite literal), or a single such call elsewhere.
type waitGroup struct {
	fs        *fileState
	owner     ast.Node // the call or composite literal whose list this is
	list      []ast.Expr
	droppable bool // elements can be removed from the list
	calls     []*ast.CallExpr
	units     []*unit
}

// selfContained reports whether the group's list is the whole of a
// check's options, all written out as calls of goleak's options, so that
// no other retry limit can join them.
func (g *waitGroup) selfContained() bool {
	call, ok := g.owner.(*ast.CallExpr)
	if !ok || g.fs.tr.sites[call] == nil || call.Ellipsis.IsValid() {
		return false
	}
	opts := call.Args
	if g.fs.tr.sites[call].name != "Find" {
		opts = opts[1:]
	}
	return !slices.ContainsFunc(opts, func(a ast.Expr) bool {
		c, ok := a.(*ast.CallExpr)
		return !ok || g.fs.goleakFunc(c) == ""
	})
}

// addWait adds a goleak.MaxRetryAttempts or MaxSleepInterval call whose
// parent is parent to its group.
func (tr *translator) addWait(fs *fileState, call *ast.CallExpr, parent ast.Node, u *unit) {
	owner, list, droppable := ast.Node(call), []ast.Expr{call}, false
	switch p := parent.(type) {
	case *ast.CompositeLit:
		if slices.Contains(p.Elts, ast.Expr(call)) {
			owner, list, droppable = p, p.Elts, true
		}
	case *ast.CallExpr:
		if i := slices.Index(p.Args, ast.Expr(call)); i >= 0 {
			owner, list = p, p.Args
			sig, ok := tr.pass.TypesInfo.TypeOf(p.Fun).Underlying().(*types.Signature)
			droppable = ok && sig.Variadic() && !p.Ellipsis.IsValid() && i >= sig.Params().Len()-1
		}
	}
	for _, g := range tr.waits {
		if g.owner == owner {
			g.calls = append(g.calls, call)
			g.units = append(g.units, u)
			return
		}
	}
	tr.waits = append(tr.waits, &waitGroup{fs: fs, owner: owner, list: list, droppable: droppable,
		calls: []*ast.CallExpr{call}, units: []*unit{u}})
}

// translateWaits replaces goleak's retry limits by a leakcheck.MaxWait
// where the wait they allow is longer than leakcheck's default, and drops
// them where it is not.
func (tr *translator) translateWaits() {
	for _, g := range tr.waits {
		fs := g.fs
		retries, maxSleep := int64(defaultRetries), defaultMaxSleep
		ok := true
		if !g.selfContained() && slices.ContainsFunc(tr.waits, func(h *waitGroup) bool { return h != g && !h.selfContained() }) {
			// Both lists may end up in one check, whose wait depends on
			// all their options, in their order.
			for _, c := range g.calls {
				tr.block(c, "goleak."+fs.goleakFunc(c)+" in a list of options that a check may combine with other retry limits set elsewhere in the package: "+
					"the wait depends on all of them; replace them by hand with one leakcheck.MaxWait (or none: leakcheck waits up to 5s by default)")
			}
			continue
		}
		for _, c := range g.calls {
			name := fs.goleakFunc(c)
			if len(c.Args) != 1 {
				ok = false
				continue
			}
			n, isConst := fs.constInt(c.Args[0])
			if !isConst {
				tr.block(c, "goleak."+name+" with an argument that is not constant: replace it by hand with "+
					"leakcheck.MaxWait, or drop it (leakcheck waits up to 5s by default)")
				ok = false
				continue
			}
			if name == "MaxRetryAttempts" {
				retries = n
			} else {
				maxSleep = time.Duration(n)
			}
		}
		if !ok {
			continue
		}
		var sources []string
		for _, c := range g.calls {
			sources = append(sources, "goleak."+fs.goleakFunc(c)+"("+oneLine(fs.text(c.Args[0].Pos(), c.Args[0].End()))+")")
			fs.removed = append(fs.removed, span{c.Pos(), c.End()})
		}
		described := strings.Join(sources, " and ")
		total := goleakWait(retries, maxSleep)
		u := g.units[0]
		if total > leakcheckDefaultWait {
			first := g.calls[0]
			wait := fs.leakcheck(first.Pos()) + ".MaxWait(" + waitSource(total, fs.std("time", first.Pos())) + ")"
			for i, c := range g.calls {
				switch {
				case i == 0 || !g.droppable:
					fs.change(g.units[i], c, c.Pos(), c.End(), wait, "")
					g.units[i].waits = appendNew(g.units[i].waits, described+" waited up to "+formatWait(total)+": it becomes "+wait)
				default:
					tr.dropped[c] = true
					fs.lists[g.owner] = g.list
				}
			}
			continue
		}
		note := described + " waited at most " + formatWait(total) + ": leakcheck's default wait (5s) already covers it"
		u.notes = append(u.notes, note)
		if u.ref == nil {
			u.ref = g.calls[0]
		}
		for i, c := range g.calls {
			if g.droppable {
				tr.dropped[c] = true
				g.units[i].waits = appendNew(g.units[i].waits, described+" is dropped: leakcheck waits up to 5s by default")
				continue
			}
			wait := fs.leakcheck(c.Pos()) + ".MaxWait(" + fs.leakcheck(c.Pos()) + ".DefaultMaxWait)"
			fs.change(g.units[i], c, c.Pos(), c.End(), wait, "")
			g.units[i].waits = appendNew(g.units[i].waits, described+" becomes "+wait+", leakcheck's default")
		}
		if g.droppable {
			fs.lists[g.owner] = g.list
		}
	}
}

// dropEdits removes the dropped elements of list, owned by owner, with
// their commas, keeping the layout of the rest.
func (fs *fileState) dropEdits(list []ast.Expr) {
	dropped := func(i int) bool {
		c, ok := list[i].(*ast.CallExpr)
		return ok && fs.tr.dropped[c]
	}
	unitOf := func(i int) *unit {
		for _, g := range fs.tr.waits {
			if j := slices.Index(g.calls, list[i].(*ast.CallExpr)); j >= 0 {
				return g.units[j]
			}
		}
		return nil
	}
	for i := 0; i < len(list); i++ {
		if !dropped(i) {
			continue
		}
		j := i
		for j+1 < len(list) && dropped(j+1) {
			j++
		}
		var s span
		switch {
		case i > 0:
			s = span{list[i-1].End(), list[j].End()}
		case j+1 < len(list):
			s = span{list[0].Pos(), list[j+1].Pos()}
		default:
			s = span{list[0].Pos(), fs.afterComma(list[j].End())}
		}
		fs.fine = append(fs.fine, fineEdit{s, "", unitOf(i)})
		i = j
	}
}

// afterComma returns the position after a comma that follows p across
// blanks, or p if there is none.
func (fs *fileState) afterComma(p token.Pos) token.Pos {
	rest := fs.src[fs.off(p):]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\n' || rest[i] == '\r') {
		i++
	}
	if i < len(rest) && rest[i] == ',' {
		return p + token.Pos(i+1)
	}
	return p
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// oneLine collapses the blanks and newlines of source text to single
// spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
