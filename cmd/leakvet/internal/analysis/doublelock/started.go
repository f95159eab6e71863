package doublelock

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

// A wait is a receive or a WaitGroup.Wait made holding locks.
type wait struct {
	instr ssa.Instruction
	on    ssa.Value // the channel, or the WaitGroup's address
	group bool
	held  []lockset.Held
}

// A start is a go statement made holding locks.
type start struct {
	g    *ssa.Go
	held []lockset.Held
}

// reportStartedWaits reports the locks fn holds while it starts a
// goroutine that takes them again and then waits for that goroutine
// still holding them: the goroutine waits for the lock, fn for the
// goroutine. For a read lock taken again for reading, only once a writer
// waits in between.
func reportStartedWaits(pass *analysis.Pass, pkg *ssa.Package, locks *lockset.Analysis, r *lockset.Reporter, fn *ssa.Function) {
	if !startsAndWaits(fn) {
		return
	}
	var starts []start
	var waits []wait
	locks.HeldAt(fn, func(instr ssa.Instruction, held []lockset.Held) {
		if len(held) == 0 {
			return
		}
		switch instr := instr.(type) {
		case *ssa.Go:
			starts = append(starts, start{instr, held})
		case *ssa.UnOp:
			if instr.Op == token.ARROW {
				waits = append(waits, wait{instr: instr, on: instr.X, held: held})
			}
		case *ssa.Call:
			if isGroupWait(instr.Common()) {
				waits = append(waits, wait{instr: instr, on: instr.Common().Args[0], group: true, held: held})
			}
		}
	}, nil)
	for _, st := range starts {
		s, ok := locks.Started(st.g)
		if !ok {
			continue
		}
		for _, take := range s.Takes {
			h, ok := heldAs(st.held, take.Lock)
			if !ok {
				continue
			}
			for _, w := range waits {
				if _, still := heldAs(w.held, h.Lock); !still || !after(st.g, w.instr) || !signals(s, w) {
					continue
				}
				r.Report(analysis.Diagnostic{Pos: take.Site.Pos, Message: startedMessage(pass, pkg, fn, s, take, h, w)})
				break
			}
		}
	}
}

// startedMessage says why take, by the goroutine s starts, blocks.
func startedMessage(pass *analysis.Pass, pkg *ssa.Package, fn *ssa.Function, s lockset.Start, take lockset.Acquisition, h lockset.Held, w wait) string {
	forever := "blocks forever"
	if h.Mode == lockset.Read && take.Mode == lockset.Read {
		forever = "blocks forever as soon as a writer calls Lock in between"
	}
	return fmt.Sprintf("%s is %s at %s and %s again at %s%s by the goroutine started at %s, which `%s` waits for at %s still holding it: %s",
		lockset.Name(h.Lock), h.Mode, lockset.Where(pass.Fset, h.Site.Pos)+lockset.Through(pkg, h.Site.Chain),
		take.Mode, lockset.Where(pass.Fset, take.Site.Pos), lockset.Through(pkg, take.Site.Chain),
		lockset.Where(pass.Fset, s.Go.Pos()), fn.RelString(pkg.Pkg), lockset.Where(pass.Fset, w.instr.Pos()), forever)
}

// startsAndWaits reports whether fn has a go statement and a receive or
// a call, before any lock analysis.
func startsAndWaits(fn *ssa.Function) bool {
	var goes, waits bool
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Go:
				goes = true
			case *ssa.UnOp:
				waits = waits || instr.Op == token.ARROW
			case *ssa.Call:
				waits = waits || isGroupWait(instr.Common())
			}
		}
	}
	return goes && waits
}

// heldAs returns the lock of held that p names, held on every path.
func heldAs(held []lockset.Held, p lockset.Path) (lockset.Held, bool) {
	for _, h := range held {
		if !h.Maybe && h.Lock.Key() == p.Key() {
			return h, true
		}
	}
	return lockset.Held{}, false
}

// after reports whether w can run after g.
func after(g *ssa.Go, w ssa.Instruction) bool {
	if g.Block() == w.Block() {
		for _, instr := range g.Block().Instrs {
			if instr == w {
				return false
			}
			if instr == g {
				return true
			}
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	work := append([]*ssa.BasicBlock(nil), g.Block().Succs...)
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if b == w.Block() {
			return true
		}
		if !seen[b] {
			seen[b] = true
			work = append(work, b.Succs...)
		}
	}
	return false
}

// signals reports whether the goroutine s starts completes w itself: it
// sends on or closes w's channel, or marks w's group Done.
func signals(s lockset.Start, w wait) bool {
	for _, b := range s.Fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Send:
				if !w.group && s.Same(instr.Chan, w.on) {
					return true
				}
			case ssa.CallInstruction:
				c := instr.Common()
				if b, ok := c.Value.(*ssa.Builtin); ok && b.Name() == "close" && !w.group && len(c.Args) == 1 && s.Same(c.Args[0], w.on) {
					return true
				}
				if w.group && isGroupMethod(c, "Done") && s.Same(c.Args[0], w.on) {
					return true
				}
			}
		}
	}
	return false
}

func isGroupWait(c *ssa.CallCommon) bool { return isGroupMethod(c, "Wait") }

// isGroupMethod reports whether c calls the method name of a
// *sync.WaitGroup.
func isGroupMethod(c *ssa.CallCommon, name string) bool {
	fn, ok := c.Value.(*ssa.Function)
	if !ok || len(c.Args) == 0 {
		return false
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Name() != name || obj.Pkg() == nil || obj.Pkg().Path() != "sync" {
		return false
	}
	recv := obj.Type().(*types.Signature).Recv()
	ptr, ok := recv.Type().(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := ptr.Elem().(*types.Named)
	return ok && named.Obj().Name() == "WaitGroup"
}
