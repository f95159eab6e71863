package abandonedproducer

import (
	_ "embed"
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports producers left blocked when their consumer returns
// from its range loop.
var Analyzer = &analysis.Analyzer{
	Name:     "abandonedproducer",
	Doc:      docstring.FromDocGo(doc, "abandonedproducer"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/abandonedproducer",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	r := lockset.NewReporter(pass)
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeChan); ok {
					check(pass, r, ssainput.Pkg, fn, mk)
				}
			}
		}
	}
	return nil, nil
}

// check reports the producer of ch, made in fn, if fn can return from
// its range loop over ch while the producer still sends.
func check(pass *analysis.Pass, r *lockset.Reporter, pkg *ssa.Package, fn *ssa.Function, ch *ssa.MakeChan) {
	// A channel a closure captures lives in a cell the closure shares:
	// follow its loads.
	values := []ssa.Value{ch}
	var cell *ssa.Alloc
	if refs := *ch.Referrers(); len(refs) == 1 {
		if st, ok := refs[0].(*ssa.Store); ok && st.Val == ch {
			if a, ok := st.Addr.(*ssa.Alloc); ok {
				cell, values = a, nil
			}
		}
	}
	var producer *ssa.MakeClosure
	var recvs []*ssa.UnOp
	if cell != nil {
		for _, ref := range *cell.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				if ref.Val != ch {
					return // assigned again
				}
			case *ssa.UnOp:
				if ref.Op != token.MUL {
					return
				}
				values = append(values, ref)
			case *ssa.MakeClosure:
				if producer != nil {
					return
				}
				producer = ref
			case *ssa.DebugRef:
			default:
				return
			}
		}
	}
	for _, v := range values {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.UnOp:
				if ref.Op != token.ARROW {
					return
				}
				recvs = append(recvs, ref)
			case *ssa.MakeClosure:
				if producer != nil {
					return
				}
				producer = ref
			case *ssa.DebugRef:
			default:
				return // passed, stored, sent, closed here: not the shape
			}
		}
	}
	if producer == nil || !startedOnly(producer) {
		return
	}
	i := bindingIndex(producer, cell, ch)
	if i < 0 {
		return
	}
	free := producer.Fn.(*ssa.Function).FreeVars[i]
	inner := []ssa.Value{free}
	if cell != nil {
		inner = nil
		for _, ref := range *free.Referrers() {
			load, ok := ref.(*ssa.UnOp)
			if !ok || load.Op != token.MUL {
				if _, ok := ref.(*ssa.DebugRef); !ok {
					return
				}
				continue
			}
			inner = append(inner, load)
		}
	}
	var sends []*ssa.Send
	for _, v := range inner {
		more, ok := sendsOf(pkg, v, 0)
		if !ok {
			return
		}
		sends = append(sends, more...)
	}
	ret := earlyReturn(recvs)
	if ret == nil {
		return
	}
	for _, s := range sends {
		if inLoop(s.Block()) {
			r.Report(analysis.Diagnostic{Pos: s.Pos(), Message: fmt.Sprintf(
				"send blocks forever once %s returns at %s from its loop over the channel without draining it: stop the producer too (a select with <-ctx.Done()) or drain the channel",
				"`"+fn.RelString(pkg.Pkg)+"`", lockset.Where(pass.Fset, ret.Pos()))})
			return
		}
	}
}

// startedOnly reports whether the closure mc is only started by a go
// statement.
func startedOnly(mc *ssa.MakeClosure) bool {
	refs := *mc.Referrers()
	if len(refs) != 1 {
		return false
	}
	g, ok := refs[0].(*ssa.Go)
	return ok && g.Call.Value == mc
}

// bindingIndex returns the index of the free variable of mc bound to
// cell, or to ch when there is no cell, or -1.
func bindingIndex(mc *ssa.MakeClosure, cell *ssa.Alloc, ch ssa.Value) int {
	for i, b := range mc.Bindings {
		if cell != nil && b == cell || cell == nil && b == ch {
			return i
		}
	}
	return -1
}

// sendsOf returns the sends on v, a channel value in its function, and
// false if v is used other than by sends, close (deferred or not) and
// arguments to functions of the package that do the same (depth-limited).
func sendsOf(pkg *ssa.Package, v ssa.Value, depth int) ([]*ssa.Send, bool) {
	if depth > 3 {
		return nil, false
	}
	var sends []*ssa.Send
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Send:
			if ref.Chan != v || ref.X == v {
				return nil, false
			}
			sends = append(sends, ref)
		case *ssa.DebugRef:
		case ssa.CallInstruction:
			c := ref.Common()
			if b, ok := c.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				continue
			}
			callee, ok := c.Value.(*ssa.Function)
			if !ok || callee.Pkg != pkg || callee.Blocks == nil || c.IsInvoke() {
				return nil, false
			}
			if _, isGo := ref.(*ssa.Go); isGo {
				return nil, false
			}
			for i, arg := range c.Args {
				if arg != v {
					continue
				}
				more, ok := sendsOf(pkg, callee.Params[i], depth+1)
				if !ok {
					return nil, false
				}
				sends = append(sends, more...)
			}
		default:
			return nil, false // a select, a receive, stored, ...
		}
	}
	return sends, true
}

// earlyReturn returns a return of the consumer reachable from the body
// of its range loop (a receive with ok, its true branch) without coming
// back to the receive: the loop left while the channel is open.
func earlyReturn(recvs []*ssa.UnOp) *ssa.Return {
	for _, recv := range recvs {
		if !recv.CommaOk {
			continue
		}
		head := recv.Block()
		last, ok := head.Instrs[len(head.Instrs)-1].(*ssa.If)
		if !ok || len(head.Succs) != 2 {
			continue
		}
		if !fromOk(last.Cond, recv) {
			continue
		}
		seen := map[*ssa.BasicBlock]bool{head: true}
		work := []*ssa.BasicBlock{head.Succs[0]}
		for len(work) > 0 {
			b := work[len(work)-1]
			work = work[:len(work)-1]
			if seen[b] {
				continue
			}
			seen[b] = true
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && ret.Pos().IsValid() {
				return ret
			}
			work = append(work, b.Succs...)
		}
	}
	return nil
}

// fromOk reports whether cond is the ok result of recv.
func fromOk(cond ssa.Value, recv *ssa.UnOp) bool {
	ex, ok := cond.(*ssa.Extract)
	return ok && ex.Tuple == recv && ex.Index == 1
}

// inLoop reports whether b can run again after itself.
func inLoop(b *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(work) > 0 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		if x == b {
			return true
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		work = append(work, x.Succs...)
	}
	return false
}
