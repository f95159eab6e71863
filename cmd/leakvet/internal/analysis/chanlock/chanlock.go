package chanlock

import (
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/docstring"
	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/lockset"
)

//go:embed doc.go
var doc string

// Analyzer reports channel operations made holding a lock that every
// partner takes first.
var Analyzer = &analysis.Analyzer{
	Name:     "chanlock",
	Doc:      docstring.FromDocGo(doc, "chanlock"),
	URL:      "https://pkg.go.dev/github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/chanlock",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

// An op is a send, receive or close of a channel field.
type op struct {
	fn      *ssa.Function
	instr   ssa.Instruction
	pos     token.Pos
	send    bool // a send; otherwise a receive, or a close when closes
	closes  bool
	alone   bool // a plain send or receive, not a case of a select
	atExit  bool // a deferred close, made as the function returns
	held    []lockset.Held
	channel string // the field, by type: "client.awaken"
	text    string // the field as the code reaches it: "t.awaken"
}

// A channel is what the package does with one channel field.
type channel struct {
	ops        []*op
	unbuffered bool // made, everywhere, without a buffer
	buffered   bool // made somewhere with a buffer, or of unknown size
	escapes    bool // used other than by send, receive and close
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	locks := lockset.New(ssainput.Pkg, ssainput.SrcFuncs)
	channels := map[string]*channel{}
	get := func(name string) *channel {
		c := channels[name]
		if c == nil {
			c = &channel{}
			channels[name] = c
		}
		return c
	}
	// takes records, by function, where each lock (by type) is taken.
	takes := map[*ssa.Function]map[string][]*ssa.BasicBlock{}
	for _, fn := range ssainput.SrcFuncs {
		takes[fn] = map[string][]*ssa.BasicBlock{}
		locks.HeldAt(fn, func(instr ssa.Instruction, held []lockset.Held) {
			for _, o := range opsOf(fn, instr) {
				o.held = held
				get(o.channel).ops = append(get(o.channel).ops, o)
			}
			noteMake(instr, get)
			noteLoads(instr, get)
		}, func(e lockset.Event) {
			if e.Take.Lock.Type != "" {
				takes[fn][e.Take.Lock.Type] = append(takes[fn][e.Take.Lock.Type], e.At.Block())
			}
		})
	}
	r := lockset.NewReporter(pass)
	for _, c := range channels {
		if c.escapes || c.buffered || !c.unbuffered {
			continue
		}
		for _, o := range c.ops {
			if !o.alone || o.closes {
				continue
			}
			for _, h := range o.held {
				if h.Maybe || h.Lock.Type == "" {
					continue
				}
				partners := partnersOf(c, o)
				if len(partners) == 0 || !allTakeFirst(partners, h.Lock.Type, takes) {
					continue
				}
				verb, other := "receive from", "send on or close of"
				if o.send {
					verb, other = "send on", "receive from"
				}
				var at []string
				for _, p := range partners {
					where := lockset.Where(pass.Fset, p.pos)
					if p.atExit {
						where += ", a deferred close"
					}
					at = append(at, where)
				}
				r.Report(analysis.Diagnostic{Pos: o.pos, Message: fmt.Sprintf(
					"%s `%s` holding %s (locked at %s) blocks forever: every %s it (%s) takes `%s` first",
					verb, o.text, lockset.Name(h.Lock), lockset.Where(pass.Fset, h.Site.Pos)+lockset.Through(ssainput.Pkg, h.Site.Chain),
					other, strings.Join(at, ", "), h.Lock.Type)})
				break
			}
		}
	}
	return nil, nil
}

// partnersOf returns the operations that complete o: receives for a send;
// sends and closes for a receive.
func partnersOf(c *channel, o *op) []*op {
	var ps []*op
	for _, p := range c.ops {
		if o.send && !p.send && !p.closes || !o.send && (p.send || p.closes) {
			ps = append(ps, p)
		}
	}
	return ps
}

// allTakeFirst reports whether every partner holds lock at its operation
// or takes it, in its function, on a path that reaches the operation.
func allTakeFirst(partners []*op, lock string, takes map[*ssa.Function]map[string][]*ssa.BasicBlock) bool {
	for _, p := range partners {
		if holds(p.held, lock) {
			continue
		}
		to := []*ssa.BasicBlock{p.instr.Block()}
		if p.atExit {
			to = exits(p.fn)
		}
		if !reachesAny(takes[p.fn][lock], to) {
			return false
		}
	}
	return true
}

// exits returns the blocks of fn that return.
func exits(fn *ssa.Function) []*ssa.BasicBlock {
	var bs []*ssa.BasicBlock
	for _, b := range fn.Blocks {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			bs = append(bs, b)
		}
	}
	return bs
}

func reachesAny(from, to []*ssa.BasicBlock) bool {
	for _, b := range to {
		if reaches(from, b) {
			return true
		}
	}
	return false
}

func holds(held []lockset.Held, lock string) bool {
	for _, h := range held {
		if !h.Maybe && h.Lock.Type == lock {
			return true
		}
	}
	return false
}

// reaches reports whether control can go from one of the blocks from to
// block to.
func reaches(from []*ssa.BasicBlock, to *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := append([]*ssa.BasicBlock(nil), from...)
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if b == to {
			return true
		}
		for _, s := range b.Succs {
			if !seen[s] {
				seen[s] = true
				work = append(work, s)
			}
		}
	}
	return false
}

// fieldOf returns the channel field that v is loaded from.
func fieldOf(v ssa.Value) (name, text string, ok bool) {
	load, isLoad := v.(*ssa.UnOp)
	if !isLoad || load.Op != token.MUL {
		return "", "", false
	}
	if _, isField := load.X.(*ssa.FieldAddr); !isField {
		return "", "", false
	}
	if _, isChan := v.Type().Underlying().(*types.Chan); !isChan {
		return "", "", false
	}
	p, ok := lockset.PathOf(load.X)
	if !ok || p.Type == "" {
		return "", "", false
	}
	return p.Type, p.Text, true
}

// opsOf returns the channel-field operations instr makes.
func opsOf(fn *ssa.Function, instr ssa.Instruction) []*op {
	mk := func(v ssa.Value, send, closes, alone bool) []*op {
		name, text, ok := fieldOf(v)
		if !ok {
			return nil
		}
		return []*op{{fn: fn, instr: instr, pos: instr.Pos(), send: send, closes: closes, alone: alone, channel: name, text: text}}
	}
	switch instr := instr.(type) {
	case *ssa.Send:
		return mk(instr.Chan, true, false, true)
	case *ssa.UnOp:
		if instr.Op == token.ARROW {
			return mk(instr.X, false, false, true)
		}
	case *ssa.Select:
		var ops []*op
		for _, st := range instr.States {
			for _, o := range mk(st.Chan, st.Dir == types.SendOnly, false, false) {
				o.pos = st.Pos
				ops = append(ops, o)
			}
		}
		return ops
	case *ssa.Call:
		if b, ok := instr.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(instr.Call.Args) == 1 {
			return mk(instr.Call.Args[0], false, true, false)
		}
	case *ssa.Defer:
		if b, ok := instr.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(instr.Call.Args) == 1 {
			ops := mk(instr.Call.Args[0], false, true, false)
			for _, o := range ops {
				o.atExit = true
			}
			return ops
		}
	}
	return nil
}

// noteMake records a channel made and stored into a field.
func noteMake(instr ssa.Instruction, get func(string) *channel) {
	store, ok := instr.(*ssa.Store)
	if !ok {
		return
	}
	if _, ok := store.Addr.(*ssa.FieldAddr); !ok {
		return
	}
	p, ok := lockset.PathOf(store.Addr)
	if !ok || p.Type == "" {
		return
	}
	if _, isChan := store.Val.Type().Underlying().(*types.Chan); !isChan {
		return
	}
	c := get(p.Type)
	made, ok := store.Val.(*ssa.MakeChan)
	if !ok {
		if k, isConst := store.Val.(*ssa.Const); !isConst || !k.IsNil() {
			c.escapes = true // a channel from elsewhere
		}
		return
	}
	if size, ok := made.Size.(*ssa.Const); ok && size.Value != nil && constant.Sign(size.Value) == 0 {
		c.unbuffered = true
	} else {
		c.buffered = true
	}
}

// noteLoads marks a channel field that escapes: loaded and then used
// other than by a send, receive, select case, close or comparison.
func noteLoads(instr ssa.Instruction, get func(string) *channel) {
	load, ok := instr.(*ssa.UnOp)
	if !ok {
		return
	}
	name, _, ok := fieldOf(load)
	if !ok {
		return
	}
	for _, ref := range *load.Referrers() {
		switch ref := ref.(type) {
		case *ssa.BinOp, *ssa.DebugRef:
			continue
		case *ssa.Send:
			if ref.Chan == load && ref.X != load {
				continue
			}
		case *ssa.Select:
			if selectsOn(ref, load) {
				continue
			}
		case *ssa.UnOp:
			if ref.Op == token.ARROW {
				continue
			}
		case *ssa.Call:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok && (b.Name() == "close" || b.Name() == "len" || b.Name() == "cap") {
				continue
			}
		case *ssa.Defer:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				continue
			}
		}
		get(name).escapes = true
	}
}

// selectsOn reports whether v is only ever a select's channel, never a
// value it sends.
func selectsOn(sel *ssa.Select, v ssa.Value) bool {
	for _, st := range sel.States {
		if st.Send == v {
			return false
		}
	}
	return true
}
