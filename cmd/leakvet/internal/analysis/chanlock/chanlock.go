package chanlock

import (
	"cmp"
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
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
	Requires: []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer},
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
	// chain, for an operation of called, is the calls from the
	// function holding the locks down to fn.
	chain []*ssa.Function
}

// A channel is what the package does with one channel field.
type channel struct {
	ops []*op
	// called holds the sends and receives the package's functions
	// make, alone, when their callers call them holding locks.
	called     []*op
	unbuffered bool // made somewhere without a buffer
	buffered   bool // made somewhere with a buffer of a constant size
	unsized    bool // made somewhere with a buffer of a size not constant
	drained    bool // received from somewhere without waiting (a select with a default)
	escapes    bool // used other than by send, receive and close, or reachable by other packages
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	locks := pass.ResultOf[lockset.Analyzer].(*lockset.Analysis)
	acc := &accessors{calls: locks.Callees(), known: map[*ssa.Function]*ssa.UnOp{}, exp: newExposure(pass.Pkg, ssainput.SrcFuncs)}
	channels := map[string]*channel{}
	get := func(name string) *channel {
		c := channels[name]
		if c == nil {
			c = &channel{}
			channels[name] = c
		}
		return c
	}
	// What each function does with channel fields, and which function
	// each of its calls runs, read without the lock analysis.
	g := &callGraph{fset: pass.Fset, direct: map[*ssa.Function][]*op{}, calls: map[*ssa.Function][]heldCall{},
		out: map[*ssa.Function][]resolvedCall{}}
	ops := map[ssa.Instruction][]*op{}
	locks.WithCallees(func(r *callees.Resolver) {
		for _, fn := range ssainput.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					for _, o := range acc.opsOf(fn, instr) {
						ops[instr] = append(ops[instr], o)
						get(o.channel).ops = append(get(o.channel).ops, o)
						if sel, ok := instr.(*ssa.Select); ok && !sel.Blocking && !o.send {
							get(o.channel).drained = true
						}
					}
					if call, ok := instr.(*ssa.Call); ok {
						g.resolve(r, fn, call)
					}
					noteMake(instr, get)
					acc.noteLoads(instr, get)
				}
			}
		}
	})
	judged := func(name string) bool {
		c := channels[name]
		return !c.escapes && !c.unsized && (c.unbuffered || c.buffered)
	}
	// The locks held, only where a judged channel is used or a call
	// may lead to one.
	withOps := map[*ssa.Function]bool{}
	for _, os := range ops {
		for _, o := range os {
			if judged(o.channel) {
				withOps[o.fn] = true
				if o.alone && !o.closes {
					g.direct[o.fn] = append(g.direct[o.fn], o)
				}
			}
		}
	}
	// takes records, by function, where each lock (by type) is taken.
	takes := map[*ssa.Function]map[string][]*ssa.BasicBlock{}
	for _, fn := range ssainput.SrcFuncs {
		takes[fn] = map[string][]*ssa.BasicBlock{}
		locks.Events(fn, func(e lockset.Event) {
			if e.Take.Lock.Type != "" {
				takes[fn][e.Take.Lock.Type] = append(takes[fn][e.Take.Lock.Type], e.At.Block())
			}
		})
	}
	need := g.leadingTo(withOps)
	for _, fn := range ssainput.SrcFuncs {
		if !need[fn] {
			continue
		}
		locks.HeldAt(fn, func(instr ssa.Instruction, held []lockset.Held) {
			for _, o := range ops[instr] {
				o.held = held
			}
			g.note(fn, instr, held)
		}, nil)
	}
	for _, o := range g.called(locks) {
		get(o.channel).called = append(get(o.channel).called, o)
	}
	r := lockset.NewReporter(pass)
	for name, c := range channels {
		if !judged(name) || c.buffered && c.drained {
			continue
		}
		for _, o := range append(c.ops, c.called...) {
			if !o.alone || o.closes {
				continue
			}
			for _, h := range byPos(o.held) {
				if h.Maybe || h.Lock.Type == "" {
					continue
				}
				partners := partnersOf(c, o)
				if len(partners) == 0 || !allTakeFirst(partners, h.Lock.Type, takes, c.buffered) {
					continue
				}
				r.Report(analysis.Diagnostic{Pos: o.pos, Message: message(pass, ssainput.Pkg, o, h, partners, c.buffered)})
				break
			}
		}
	}
	return nil, nil
}

// byPos returns held in the order the locks were taken in the source,
// so that of two locks that both block an operation the message always
// names the same.
func byPos(held []lockset.Held) []lockset.Held {
	sorted := slices.Clone(held)
	slices.SortFunc(sorted, func(a, b lockset.Held) int { return cmp.Compare(a.Site.Pos, b.Site.Pos) })
	return sorted
}

// message says why o, holding h, blocks forever.
func message(pass *analysis.Pass, pkg *ssa.Package, o *op, h lockset.Held, partners []*op, buffered bool) string {
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
	called := ""
	if len(o.chain) > 0 {
		called = "," + lockset.Through(pkg, o.chain) + ","
	}
	first, full := "takes `"+h.Lock.Type+"` first", ""
	if buffered {
		first = "takes `" + h.Lock.Type + "` before it comes back to the channel"
		full = " once its buffer is full"
	}
	return fmt.Sprintf("%s `%s`%s holding %s (locked at %s) blocks forever%s: every %s it (%s) %s",
		verb, o.text, called, lockset.Name(h.Lock), lockset.Where(pass.Fset, h.Site.Pos)+lockset.Through(pkg, h.Site.Chain),
		full, other, strings.Join(at, ", "), first)
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
// Through a buffer, a partner holding the lock at its operation may find
// room or a value there; only one that takes the lock in a loop around
// its operation (a consumer that calls back into the producer between
// receives) must come back for the lock before the buffer moves.
func allTakeFirst(partners []*op, lock string, takes map[*ssa.Function]map[string][]*ssa.BasicBlock, buffered bool) bool {
	for _, p := range partners {
		if holds(p.held, lock) && !buffered {
			continue
		}
		to := []*ssa.BasicBlock{p.instr.Block()}
		if p.atExit {
			to = exits(p.fn)
		}
		at := takes[p.fn][lock]
		if !reachesAny(at, to) {
			return false
		}
		if buffered && (p.atExit || holds(p.held, lock) || !aroundLoop(p.instr.Block(), at)) {
			return false
		}
	}
	return true
}

// aroundLoop reports whether one of the blocks at is on a loop through
// block b: reached from b, it reaches b again.
func aroundLoop(b *ssa.BasicBlock, at []*ssa.BasicBlock) bool {
	for _, t := range at {
		if reaches(b.Succs, t) && reaches([]*ssa.BasicBlock{t}, b) {
			return true
		}
	}
	return false
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

// fieldOf returns the channel field that v is loaded from, directly or
// by a call of an accessor (func (rr *roundRobin) Notify() <-chan bool {
// return rr.addrCh }), through an interface of the package when the
// accessor is its one implementation.
func (acc *accessors) fieldOf(v ssa.Value) (name, text string, ok bool) {
	if call, isCall := v.(*ssa.Call); isCall {
		cs := acc.calls.Callees(call.Common())
		if len(cs) != 1 {
			return "", "", false
		}
		load := acc.accessor(cs[0].Fn)
		if load == nil {
			return "", "", false
		}
		v = load
	}
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

// accessors finds the package's channel accessors.
type accessors struct {
	calls *callees.Resolver
	known map[*ssa.Function]*ssa.UnOp
	exp   *exposure
}

// accessor returns the load of a channel field that fn, a method the
// package alone can call, only returns, or nil. An exported method of a
// type other packages can hold hands the channel to them, whose sends
// and receives the analysis cannot see; an exported method of a type
// they cannot hold (one implementing an interface of the package, say)
// is the package's own.
func (acc *accessors) accessor(fn *ssa.Function) *ssa.UnOp {
	if load, ok := acc.known[fn]; ok {
		return load
	}
	var load *ssa.UnOp
	recv := fn.Signature.Recv()
	if recv != nil && (!token.IsExported(fn.Name()) || acc.exp.hidden(recv.Type())) && fn.Signature.Results().Len() == 1 && len(fn.Blocks) == 1 {
		if ret, ok := fn.Blocks[0].Instrs[len(fn.Blocks[0].Instrs)-1].(*ssa.Return); ok {
			if u, ok := unconvert(ret.Results[0]).(*ssa.UnOp); ok && u.Op == token.MUL {
				if fa, ok := u.X.(*ssa.FieldAddr); ok && fa.X == fn.Params[0] {
					if _, isChan := u.Type().Underlying().(*types.Chan); isChan {
						load = u
					}
				}
			}
		}
	}
	acc.known[fn] = load
	return load
}

// unconvert returns v without a conversion of its channel's direction.
func unconvert(v ssa.Value) ssa.Value {
	if c, ok := v.(*ssa.ChangeType); ok {
		return c.X
	}
	return v
}

// opsOf returns the channel-field operations instr makes.
func (acc *accessors) opsOf(fn *ssa.Function, instr ssa.Instruction) []*op {
	mk := func(v ssa.Value, send, closes, alone bool) []*op {
		name, text, ok := acc.fieldOf(v)
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
	switch size, ok := made.Size.(*ssa.Const); {
	case !ok || size.Value == nil:
		c.unsized = true
	case constant.Sign(size.Value) == 0:
		c.unbuffered = true
	default:
		c.buffered = true
	}
}

// noteLoads marks a channel field that escapes: loaded (or got from an
// accessor) and then used other than by a send, receive, select case,
// close or comparison. An accessor's own load, which it returns, is
// judged at the accessor's calls.
func (acc *accessors) noteLoads(instr ssa.Instruction, get func(string) *channel) {
	v, ok := instr.(ssa.Value)
	if !ok {
		return
	}
	switch instr.(type) {
	case *ssa.UnOp, *ssa.Call:
	default:
		return
	}
	name, _, ok := acc.fieldOf(v)
	if !ok {
		return
	}
	if acc.public(v) {
		get(name).escapes = true
		return
	}
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.BinOp, *ssa.DebugRef:
			continue
		case *ssa.Return, *ssa.ChangeType:
			if acc.accessor(ref.Parent()) == v {
				continue
			}
		case *ssa.Send:
			if ref.Chan == v && ref.X != v {
				continue
			}
		case *ssa.Select:
			if selectsOn(ref, v) {
				continue
			}
		case *ssa.UnOp:
			if ref.Op == token.ARROW {
				continue
			}
		case *ssa.Range:
			continue
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

// public reports whether v loads an exported field of a struct other
// packages can hold: they may use its channel too.
func (acc *accessors) public(v ssa.Value) bool {
	load, ok := v.(*ssa.UnOp)
	if !ok {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	f := callees.FieldVar(fa.X.Type(), fa.Field)
	return f != nil && f.Exported() && !acc.exp.hidden(fa.X.Type())
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
