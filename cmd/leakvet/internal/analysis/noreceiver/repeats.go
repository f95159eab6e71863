package noreceiver

import (
	"fmt"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

// maxCallers bounds how many calls up a send is followed to find a
// loop: enough for a method called through a helper and an interface.
const maxCallers = 4

// A call is a call site of a function of the package.
type call struct {
	instr ssa.CallInstruction
	fn    *ssa.Function // the function that makes the call
}

// repeats tells whether a block of the package's code runs more than
// once: in a loop, or called (or started) from a loop.
type repeats struct {
	pkg     *ssa.Package
	callers map[*ssa.Function][]call
	loops   map[*ssa.BasicBlock]bool // memo of inLoop
}

func newRepeats(pkg *ssa.Package, fns []*ssa.Function) *repeats {
	r := &repeats{pkg: pkg, callers: map[*ssa.Function][]call{}, loops: map[*ssa.BasicBlock]bool{}}
	res := callees.New(pkg, fns)
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				for _, callee := range res.Callees(c.Common()) {
					r.callers[callee.Fn] = append(r.callers[callee.Fn], call{c, fn})
				}
			}
		}
	}
	return r
}

// why says how block b of fn comes to run again, or reports false.
func (r *repeats) why(fn *ssa.Function, b *ssa.BasicBlock) (string, bool) {
	if r.inLoop(b) {
		return fmt.Sprintf("`%s` sends in a loop", fn.RelString(r.pkg.Pkg)), true
	}
	type step struct {
		fn    *ssa.Function
		chain []*ssa.Function // from fn down to the send's function
	}
	seen := map[*ssa.Function]bool{fn: true}
	queue := []step{{fn, []*ssa.Function{fn}}}
	for depth := 0; depth < maxCallers && len(queue) > 0; depth++ {
		var next []step
		for _, s := range queue {
			for _, c := range r.callers[s.fn] {
				chain := append([]*ssa.Function{c.fn}, s.chain...)
				if r.inLoop(c.instr.Block()) {
					return fmt.Sprintf("`%s` calls it in a loop at %s%s",
						c.fn.RelString(r.pkg.Pkg), lockset.Where(r.pkg.Prog.Fset, c.instr.Pos()),
						lockset.Through(r.pkg, chain)), true
				}
				if !seen[c.fn] {
					seen[c.fn] = true
					next = append(next, step{c.fn, chain})
				}
			}
		}
		queue = next
	}
	return "", false
}

// inLoop reports whether b can run again after itself: whether it is
// on a cycle of its function's control flow.
func (r *repeats) inLoop(b *ssa.BasicBlock) bool {
	if in, ok := r.loops[b]; ok {
		return in
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	in := false
	for len(stack) > 0 && !in {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			in = true
			break
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, x.Succs...)
	}
	r.loops[b] = in
	return in
}
