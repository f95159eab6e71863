package waitlock

import (
	_ "embed"
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/syncuse"
)

//go:embed doc.go
var doc string

// Analyzer reports WaitGroup.Wait calls made holding a lock the
// goroutines they wait for take before Done.
var Analyzer = &analysis.Analyzer{
	Name:     "waitlock",
	Doc:      docstring.FromDocGo(doc, "waitlock"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/waitlock",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer},
	Run:      run,
}

// A use is a Wait or a Done and the locks held just before it.
type use struct {
	instr ssa.CallInstruction
	held  []lockset.Held
}

// A take is a lock a function takes, where and how.
type take struct {
	at   ssa.Instruction
	mode lockset.Mode
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	groups := map[*ssa.CallCommon]*syncuse.Object{}
	kind := map[*ssa.CallCommon]string{}
	for _, wg := range syncuse.Find(pass.Pkg, ssainput.SrcFuncs, "WaitGroup") {
		if wg.Escapes || len(wg.Calls["Wait"]) == 0 || len(wg.Calls["Done"]) == 0 || len(wg.Calls["Go"]) > 0 {
			continue
		}
		for _, name := range []string{"Wait", "Done"} {
			for _, c := range wg.Calls[name] {
				groups[c], kind[c] = wg, name
			}
		}
	}
	if len(groups) == 0 {
		return nil, nil
	}
	locks := pass.ResultOf[lockset.Analyzer].(*lockset.Analysis)
	waits := map[*syncuse.Object][]use{}
	dones := map[*syncuse.Object][]use{}
	takes := map[*ssa.Function]map[string][]take{}
	for _, fn := range ssainput.SrcFuncs {
		if !mentions(fn, groups) {
			continue
		}
		takes[fn] = map[string][]take{}
		locks.HeldAt(fn, func(instr ssa.Instruction, held []lockset.Held) {
			c, ok := instr.(ssa.CallInstruction)
			if !ok || groups[c.Common()] == nil {
				return
			}
			u := use{c, held}
			if wg := groups[c.Common()]; kind[c.Common()] == "Wait" {
				waits[wg] = append(waits[wg], u)
			} else {
				dones[wg] = append(dones[wg], u)
			}
		}, func(e lockset.Event) {
			if e.Take.Lock.Type != "" && !e.Take.Indirect {
				takes[fn][e.Take.Lock.Type] = append(takes[fn][e.Take.Lock.Type], take{e.At, e.Take.Mode})
			}
		})
	}
	r := lockset.NewReporter(pass)
	for wg, ws := range waits {
		for _, w := range ws {
			for _, h := range w.held {
				if h.Maybe || h.Lock.Type == "" {
					continue
				}
				at, ok := allTakeFirst(w, dones[wg], h, takes)
				if !ok {
					continue
				}
				r.Report(analysis.Diagnostic{Pos: w.instr.Pos(), Message: fmt.Sprintf(
					"Wait on `%s` holding %s (%s at %s) blocks forever: every Done on it (%s) comes after taking `%s`",
					wg.Name, lockset.Name(h.Lock), h.Mode, lockset.Where(pass.Fset, h.Site.Pos)+lockset.Through(ssainput.Pkg, h.Site.Chain),
					strings.Join(at, ", "), h.Lock.Type)})
				break
			}
		}
	}
	return nil, nil
}

// mentions reports whether fn makes one of the calls of groups.
func mentions(fn *ssa.Function, groups map[*ssa.CallCommon]*syncuse.Object) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(ssa.CallInstruction); ok && groups[c.Common()] != nil {
				return true
			}
		}
	}
	return false
}

// allTakeFirst reports whether every Done in dones, each in a function
// other than the Wait's, holds the lock h names or takes it on every
// path to the Done (to the return, for a deferred Done), in a mode that
// excludes h's; and returns where the Dones are.
func allTakeFirst(w use, dones []use, h lockset.Held, takes map[*ssa.Function]map[string][]take) ([]string, bool) {
	fset := w.instr.Parent().Prog.Fset
	var at []string
	for _, d := range dones {
		fn := d.instr.Parent()
		if fn == w.instr.Parent() {
			return nil, false
		}
		at = append(at, lockset.Where(fset, d.instr.Pos()))
		if holdsFor(d.held, h) {
			continue
		}
		to := []ssa.Instruction{d.instr}
		if _, ok := d.instr.(*ssa.Defer); ok {
			to = exits(fn)
		}
		if len(to) == 0 || !takenBeforeAll(takes[fn][h.Lock.Type], h.Mode, to) {
			return nil, false
		}
	}
	return at, len(at) > 0
}

// excludes reports whether a lock held in mode held blocks a take in
// mode want: always, unless both read.
func excludes(held, want lockset.Mode) bool {
	return held == lockset.Write || want == lockset.Write
}

// holdsFor reports whether held has the lock of h, in a mode h excludes.
func holdsFor(held []lockset.Held, h lockset.Held) bool {
	for _, x := range held {
		if !x.Maybe && x.Lock.Type == h.Lock.Type && excludes(h.Mode, x.Mode) {
			return true
		}
	}
	return false
}

// takenBeforeAll reports whether, for each instruction of to, a take of
// a mode that mode excludes comes before it on every path there.
func takenBeforeAll(ts []take, mode lockset.Mode, to []ssa.Instruction) bool {
	for _, instr := range to {
		dominated := false
		for _, t := range ts {
			if excludes(mode, t.mode) && before(t.at, instr) {
				dominated = true
				break
			}
		}
		if !dominated {
			return false
		}
	}
	return true
}

// before reports whether a runs before b on every path to b.
func before(a, b ssa.Instruction) bool {
	if a.Block() != b.Block() {
		return a.Block().Dominates(b.Block())
	}
	for _, instr := range a.Block().Instrs {
		switch instr {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// exits returns the returns of fn but its recover block's, which runs
// after a panic.
func exits(fn *ssa.Function) []ssa.Instruction {
	var rs []ssa.Instruction
	for _, b := range fn.Blocks {
		if b == fn.Recover {
			continue
		}
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rs = append(rs, ret)
		}
	}
	return rs
}
