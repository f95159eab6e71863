package nosender

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/chanfield"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/names"
)

// checkFields reports the receives from channel fields that the package
// only ever receives from. The field is unexported, so only this package
// can reach it; the channels stored in it are made for it and nothing
// else; every value read from it is received from, compared, measured,
// or handed out as a receive-only channel (a `Done() <-chan struct{}`
// accessor). Then nothing can ever send on it or close it, and a
// receive that waits for nothing else blocks forever.
func checkFields(pass *analysis.Pass, r *lockset.Reporter, funcs []*ssa.Function) {
	for v, f := range chanfield.Find(pass.Pkg, funcs) {
		if f.Escapes || len(f.Made) == 0 || len(f.Sends) > 0 || len(f.Closes) > 0 {
			continue
		}
		var waits []token.Pos
		for _, recv := range f.Recvs {
			if !f.Shared[recv.Parent()] {
				waits = append(waits, recv.Pos())
			}
		}
		for _, c := range f.Selects {
			if c.Select.States[c.Index].Dir != types.RecvOnly {
				waits = nil
				break
			}
			if c.Select.Blocking && len(c.Select.States) == 1 && !f.Shared[c.Select.Parent()] {
				waits = append(waits, c.Select.States[c.Index].Pos)
			}
		}
		for _, pos := range waits {
			r.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"receive blocks forever: nothing sends on `%s` or closes it (made at %s; the package only receives from it)",
				names.Field(v), lockset.Where(pass.Fset, f.Made[0].Pos()))})
		}
	}
}
