package sendcycle

import (
	_ "embed"
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/chanfield"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/started"
)

//go:embed doc.go
var doc string

// Analyzer reports two goroutine loops that each send to the other while
// busy.
var Analyzer = &analysis.Analyzer{
	Name:     "sendcycle",
	Doc:      docstring.FromDocGo(doc, "sendcycle"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/sendcycle",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

// maxCalls bounds how deep a loop's calls are followed to its sends.
const maxCalls = 6

// A send is a send on a channel field that waits for its receiver alone.
type send struct {
	instr ssa.Instruction // the send, or the select
	field *types.Var
}

// A busySend is a send a loop makes between two receives, and the calls
// that lead there from the loop's function.
type busySend struct {
	send  send
	chain []*ssa.Function
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	fields := chanfield.Find(pass.Pkg, ssainput.SrcFuncs)
	stops := stopCases(fields)
	// loops holds each candidate channel's one receiving function.
	loops := map[*types.Var]*ssa.Function{}
	sends := map[ssa.Instruction][]send{}
	var goroutines map[*ssa.Function]bool
	for v, f := range fields {
		if f.Escapes || len(f.Made) == 0 || !f.Unbuffered() || len(f.Closes) > 0 {
			continue
		}
		loop := receivingLoop(f)
		if loop == nil {
			continue
		}
		if goroutines == nil {
			goroutines = started.Functions(ssainput.SrcFuncs)
		}
		if !goroutines[loop] {
			continue
		}
		loops[v] = loop
		for _, s := range blockingSends(f, stops) {
			sends[s.instr] = append(sends[s.instr], s)
		}
	}
	if len(loops) < 2 {
		return nil, nil
	}
	calls := callees.New(ssainput.Pkg, ssainput.SrcFuncs)
	busy := map[*types.Var]map[*types.Var]busySend{} // by received field, the sends on others
	for v, loop := range loops {
		busy[v] = map[*types.Var]busySend{}
		for _, b := range reach(loop, calls, sends) {
			if g := b.send.field; g != v && loops[g] != nil && loops[g] != loop {
				if _, ok := busy[v][g]; !ok {
					busy[v][g] = b
				}
			}
		}
	}
	r := lockset.NewReporter(pass)
	for v, out := range busy {
		for g, b := range out {
			back, ok := busy[g][v]
			if !ok {
				continue
			}
			r.Report(analysis.Diagnostic{Pos: b.send.instr.Pos(), Message: fmt.Sprintf(
				"send on `%s` blocks forever if `%s`, its only receiver, is sending on `%s` (%s%s), which only `%s` receives, and `%s` makes this send%s: each waits for the other",
				names.Field(g), loops[g].RelString(pass.Pkg), names.Field(v),
				lockset.Where(pass.Fset, back.send.instr.Pos()), lockset.Through(ssainput.Pkg, back.chain),
				loops[v].RelString(pass.Pkg), loops[v].RelString(pass.Pkg), lockset.Through(ssainput.Pkg, b.chain))})
		}
	}
	return nil, nil
}

// receivingLoop returns the one function that receives from f, if every
// receive is in a loop of it.
func receivingLoop(f *chanfield.Field) *ssa.Function {
	var loop *ssa.Function
	var blocks []*ssa.BasicBlock
	for _, r := range f.Recvs {
		if loop != nil && r.Parent() != loop {
			return nil
		}
		loop = r.Parent()
		blocks = append(blocks, r.Block())
	}
	for _, c := range f.Selects {
		if c.Select.States[c.Index].Dir != types.RecvOnly {
			continue
		}
		if loop != nil && c.Select.Parent() != loop {
			return nil
		}
		loop = c.Select.Parent()
		blocks = append(blocks, c.Select.Block())
	}
	for _, b := range blocks {
		if !inLoop(b) {
			return nil
		}
	}
	return loop
}

// stopCases returns the select cases that receive from a channel field
// nothing sends on (a stop channel, closed once).
func stopCases(fields map[*types.Var]*chanfield.Field) map[chanfield.Case]bool {
	stops := map[chanfield.Case]bool{}
	for _, f := range fields {
		if f.Escapes || len(f.Sends) > 0 {
			continue
		}
		sent := false
		for _, c := range f.Selects {
			sent = sent || c.Select.States[c.Index].Dir == types.SendOnly
		}
		if sent {
			continue
		}
		for _, c := range f.Selects {
			stops[c] = true
		}
	}
	return stops
}

// blockingSends returns the sends on f that wait for its receiver alone:
// send statements, and select cases whose other cases only receive from
// stop channels or a context's Done.
func blockingSends(f *chanfield.Field, stops map[chanfield.Case]bool) []send {
	var ss []send
	for _, s := range f.Sends {
		if !f.Shared[s.Parent()] {
			ss = append(ss, send{s, f.Var})
		}
	}
	for _, c := range f.Selects {
		sel := c.Select
		if sel.States[c.Index].Dir != types.SendOnly || !sel.Blocking || f.Shared[sel.Parent()] {
			continue
		}
		only := true
		for i, st := range sel.States {
			if i != c.Index && !stops[chanfield.Case{Select: sel, Index: i}] && !isDone(st.Chan) {
				only = false
			}
		}
		if only {
			ss = append(ss, send{sel, f.Var})
		}
	}
	return ss
}

// isDone reports whether ch is the channel of a context's Done method.
func isDone(ch ssa.Value) bool {
	call, ok := ch.(*ssa.Call)
	if !ok || !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" {
		return false
	}
	named, ok := call.Call.Value.Type().(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "context" && named.Obj().Name() == "Context"
}

// reach returns the sends of sends that loop makes, directly or through
// the package's calls (not the goroutines it starts), with the calls
// that lead to each.
func reach(loop *ssa.Function, calls *callees.Resolver, sends map[ssa.Instruction][]send) []busySend {
	var out []busySend
	seen := map[*ssa.Function]bool{loop: true}
	type step struct {
		fn    *ssa.Function
		chain []*ssa.Function
	}
	queue := []step{{loop, []*ssa.Function{loop}}}
	for depth := 0; depth <= maxCalls && len(queue) > 0; depth++ {
		var next []step
		for _, s := range queue {
			for _, b := range s.fn.Blocks {
				for _, instr := range b.Instrs {
					for _, sd := range sends[instr] {
						out = append(out, busySend{sd, s.chain})
					}
					c, ok := instr.(ssa.CallInstruction)
					if !ok {
						continue
					}
					if _, isGo := instr.(*ssa.Go); isGo {
						continue
					}
					for _, callee := range calls.Callees(c.Common()) {
						if !seen[callee.Fn] {
							seen[callee.Fn] = true
							next = append(next, step{callee.Fn, append(append([]*ssa.Function(nil), s.chain...), callee.Fn)})
						}
					}
				}
			}
		}
		queue = next
	}
	return out
}

// inLoop reports whether b is on a cycle of its function's control flow.
func inLoop(b *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}
