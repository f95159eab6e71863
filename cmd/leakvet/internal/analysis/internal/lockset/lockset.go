package lockset

import (
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"sync"

	"golang.org/x/tools/go/ssa"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/analysis/internal/callees"
)

// A Site is where a lock is taken: the position of the Lock call and the
// calls that lead there, from the function analysed (first) to the one
// that calls Lock (last).
type Site struct {
	Pos   token.Pos
	Chain []*ssa.Function
}

// An Acquisition is a lock taken at a site.
type Acquisition struct {
	Lock Path
	Mode Mode
	Site Site

	// Indirect is set for a lock known only by its type, taken by a
	// function a call through an interface or a function value may
	// run: it says which kind of lock the call may wait for, not which
	// lock, nor that the call takes it.
	Indirect bool

	block   *ssa.BasicBlock // where the function analysed takes it
	guarded bool            // taken only under a condition on a parameter
}

// A Summary is what a function does to the locks its caller can name
// (through its parameters, captured variables and globals).
type Summary struct {
	// Acquires lists the locks the function takes, directly or through
	// its callees, before it releases them: a caller holding one of them
	// blocks there.
	Acquires []Acquisition
	// Releases holds the locks it may release without having taken them.
	Releases []Path
	// Holds lists the locks it takes and holds at every return.
	Holds []Acquisition
	// MayHold lists the locks it takes and holds at some return on some
	// paths but not on others: a forgotten unlock.
	MayHold []Acquisition
	// Leaks lists the returns that hold, on every path to them, a lock
	// that the function releases before another return (or on another
	// path to the same one).
	Leaks []Leak
	// ErrorLeaks lists the returns of a non-nil error that keep a lock
	// the function took and released before, round a loop: a caller told
	// that the call failed does not unlock what it took.
	ErrorLeaks []Leak
}

// A Leak is a return that keeps a lock the function otherwise releases.
type Leak struct {
	Acquisition
	Return *ssa.Return
}

// A Held is a lock held at an instruction and where it was taken.
type Held struct {
	Acquisition
	// Maybe is set when a callee may have returned with the lock still
	// held (its MayHold), rather than the lock being held on every path.
	Maybe bool
	// Returner is that callee.
	Returner *ssa.Function
}

// An Event is a lock taken while others are held, as the analysis of a
// function sees it: the lock, where it is taken, and what the function
// holds at that moment.
type Event struct {
	Fn   *ssa.Function
	Take Acquisition
	// At is the instruction of Fn that takes it: the Lock call itself,
	// or the call of the function that does.
	At   ssa.CallInstruction
	Held []Held
}

// An Analysis computes lock summaries of one package's functions.
type Analysis struct {
	// mu serializes the analyzers that share the Analysis of a package
	// (they may run at once).
	mu        sync.Mutex
	pkg       *ssa.Package
	summaries map[*ssa.Function]*Summary
	calls     *callees.Resolver
	// conds holds, by *sync.Cond field, the lock its L is, when every
	// Cond the package stores there is made on one lock of the same
	// struct.
	conds map[*types.Var]condLock
	// events keeps each function's events once walked.
	events map[*ssa.Function][]Event
	// guarded caches guardedByParam.
	guarded map[*ssa.BasicBlock]bool
}

// New returns an analysis of the functions of pkg, whose functions (with
// their closures) are fns.
func New(pkg *ssa.Package, fns []*ssa.Function) *Analysis {
	a := &Analysis{pkg: pkg, summaries: make(map[*ssa.Function]*Summary), calls: callees.New(pkg, fns),
		guarded: map[*ssa.BasicBlock]bool{}, events: map[*ssa.Function][]Event{}}
	a.conds = a.condFields(fns)
	return a
}

// Callees returns the resolver of the package's calls the analysis uses,
// for the callbacks of [Analysis.HeldAt] and [Analysis.Events] (it is
// not safe for concurrent use on its own).
func (a *Analysis) Callees() *callees.Resolver { return a.calls }

// WithCallees calls f with the resolver of the package's calls, while no
// other analyzer sharing the Analysis uses it. f must not call the
// Analysis.
func (a *Analysis) WithCallees(f func(*callees.Resolver)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a.calls)
}

// state is what is known of the locks at a point of a function.
type state struct {
	must     map[pathKey]Held // held on every path
	may      map[pathKey]Held // taken here and held on some path
	suspect  map[pathKey]Held // held on some path after a callee's forgotten unlock
	released map[pathKey]Path // released on some path without being taken here
	deferred map[pathKey]bool // released by a deferred call
	dropped  map[pathKey]bool // taken here, then released, on some path
}

func newState() *state {
	return &state{
		must:     map[pathKey]Held{},
		may:      map[pathKey]Held{},
		suspect:  map[pathKey]Held{},
		released: map[pathKey]Path{},
		deferred: map[pathKey]bool{},
		dropped:  map[pathKey]bool{},
	}
}

func (s *state) clone() *state {
	return &state{
		must:     maps.Clone(s.must),
		may:      maps.Clone(s.may),
		suspect:  maps.Clone(s.suspect),
		released: maps.Clone(s.released),
		deferred: maps.Clone(s.deferred),
		dropped:  maps.Clone(s.dropped),
	}
}

// join merges t into s and reports whether s changed.
func (s *state) join(t *state) bool {
	changed := false
	for k := range s.must {
		if _, ok := t.must[k]; !ok {
			delete(s.must, k)
			changed = true
		}
	}
	for _, pair := range []struct{ into, from map[pathKey]Held }{{s.may, t.may}, {s.suspect, t.suspect}} {
		for k, v := range pair.from {
			if _, ok := pair.into[k]; !ok {
				pair.into[k] = v
				changed = true
			}
		}
	}
	for k, v := range t.released {
		if _, ok := s.released[k]; !ok {
			s.released[k] = v
			changed = true
		}
	}
	for _, pair := range []struct{ into, from map[pathKey]bool }{{s.deferred, t.deferred}, {s.dropped, t.dropped}} {
		for k := range pair.from {
			if !pair.into[k] {
				pair.into[k] = true
				changed = true
			}
		}
	}
	return changed
}

func (s *state) take(a Acquisition) {
	h := Held{Acquisition: a}
	s.must[a.Lock.key()] = h
	s.may[a.Lock.key()] = h
}

func (s *state) release(p Path) {
	k := p.key()
	if _, ok := s.may[k]; ok {
		s.dropped[k] = true
	} else if _, ok := s.suspect[k]; !ok {
		s.released[k] = p
	}
	delete(s.must, k)
	delete(s.may, k)
	delete(s.suspect, k)
}

// held returns what s holds, for an Event.
func (s *state) held() []Held {
	var hs []Held
	for _, h := range s.must {
		hs = append(hs, h)
	}
	for k, h := range s.suspect {
		if _, ok := s.must[k]; !ok {
			hs = append(hs, h)
		}
	}
	return hs
}

// Summary returns fn's summary, computing it (and its callees') once.
func (a *Analysis) Summary(fn *ssa.Function) *Summary {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.summary(fn)
}

func (a *Analysis) summary(fn *ssa.Function) *Summary {
	if s, ok := a.summaries[fn]; ok {
		return s
	}
	a.summaries[fn] = &Summary{} // recursion sees no effect
	s := a.walk(fn, nil, nil)
	a.summaries[fn] = s
	return s
}

// Events calls visit for each lock fn takes, with what fn holds then;
// of those taken holding nothing, perhaps only one per lock type and
// block. visit must not call the Analysis.
func (a *Analysis) Events(fn *ssa.Function, visit func(Event)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.summary(fn)
	if es, ok := a.events[fn]; ok {
		for _, e := range es {
			visit(e)
		}
		return
	}
	a.walk(fn, a.recording(fn, visit), nil)
}

// recording returns visit, which also keeps each event of fn for the
// next analyzer that asks (doublelock and lockorder both walk every
// function). Of the events that hold nothing, which say only where a
// lock of a type is taken, it keeps one per type and block: a call of a
// function that reaches hundreds of locks makes an event for each.
func (a *Analysis) recording(fn *ssa.Function, visit func(Event)) func(Event) {
	a.events[fn] = []Event{}
	type where struct {
		lock  string
		block *ssa.BasicBlock
	}
	bare := map[where]bool{}
	return func(e Event) {
		if visit != nil {
			visit(e)
		}
		if len(e.Held) == 0 {
			w := where{e.Take.Lock.Type, e.At.Block()}
			if bare[w] {
				return
			}
			bare[w] = true
		}
		a.events[fn] = append(a.events[fn], e)
	}
}

// HeldAt calls visit with each instruction of fn and the locks fn holds
// just before it, and with each lock fn takes as Events does. visit and
// events must not call the Analysis, but may use its [Analysis.Callees].
func (a *Analysis) HeldAt(fn *ssa.Function, visit func(ssa.Instruction, []Held), events func(Event)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.summary(fn)
	if _, ok := a.events[fn]; !ok {
		events = a.recording(fn, events)
	}
	a.walk(fn, events, func(instr ssa.Instruction, s *state) { visit(instr, s.held()) })
}

// inPackage reports whether fn's body is in the analysed package.
func (a *Analysis) inPackage(fn *ssa.Function) bool {
	return fn != nil && fn.Blocks != nil && fn.Pkg == a.pkg
}

// walk runs the analysis of fn to a fixed point, then walks it once more
// reporting events to visit and each instruction with its state to each
// (when not nil), and returns fn's summary.
func (a *Analysis) walk(fn *ssa.Function, visit func(Event), each func(ssa.Instruction, *state)) *Summary {
	if len(fn.Blocks) == 0 {
		return &Summary{}
	}
	in := make([]*state, len(fn.Blocks))
	in[0] = newState()
	work := []*ssa.BasicBlock{fn.Blocks[0]}
	queued := map[*ssa.BasicBlock]bool{fn.Blocks[0]: true}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b] = false
		out := in[b.Index].clone()
		for _, instr := range b.Instrs {
			a.step(fn, out, instr, nil, nil)
		}
		for _, succ := range live(b) {
			switch {
			case in[succ.Index] == nil:
				in[succ.Index] = out.clone()
			case !in[succ.Index].join(out):
				continue
			}
			if !queued[succ] {
				queued[succ] = true
				work = append(work, succ)
			}
		}
	}
	sum := &Summary{}
	var holds map[pathKey]Held
	mayHold := map[pathKey]Held{}
	acquired := map[token.Pos]bool{}
	kept := map[*ssa.Return]map[pathKey]Held{} // taken here, held on every path to the return
	unkept := map[pathKey]bool{}               // taken here, released on some path to some return
	var s *state                               // the state at the instruction walked
	took := func(acq Acquisition) {
		if _, ok := s.released[acq.Lock.key()]; !ok && !acquired[acq.Site.Pos] {
			acquired[acq.Site.Pos] = true
			sum.Acquires = append(sum.Acquires, acq)
		}
	}
	for _, b := range fn.Blocks {
		if in[b.Index] == nil {
			continue
		}
		s = in[b.Index].clone()
		for _, instr := range b.Instrs {
			if each != nil {
				each(instr, s)
			}
			a.step(fn, s, instr, visit, took)
			ret, ok := instr.(*ssa.Return)
			if !ok {
				continue
			}
			kept[ret] = map[pathKey]Held{}
			if returnsError(ret) {
				for k, h := range s.must {
					// Taken here in a loop, released before going round
					// again, never released without being taken first
					// (a caller's lock, let go around a slow call).
					_, here := s.may[k]
					_, callers := s.released[k]
					if here && s.dropped[k] && !callers && !s.deferred[k] && !h.guarded && inLoop(h.block) {
						sum.ErrorLeaks = append(sum.ErrorLeaks, Leak{Acquisition: h.Acquisition, Return: ret})
					}
				}
			}
			for k, h := range s.may {
				if s.deferred[k] {
					continue
				}
				if _, ok := s.must[k]; ok {
					kept[ret][k] = h
				} else {
					unkept[k] = true
				}
			}
			for k := range s.dropped {
				if _, ok := s.must[k]; !ok {
					unkept[k] = true
				}
			}
			exit := map[pathKey]Held{}
			for k, h := range s.must {
				if !s.deferred[k] {
					exit[k] = h
				}
			}
			if holds == nil {
				holds = exit
			} else {
				for k := range holds {
					if _, ok := exit[k]; !ok {
						delete(holds, k)
					}
				}
			}
			for _, m := range []map[pathKey]Held{s.may, s.suspect} {
				for k, h := range m {
					// A lock taken on every path to the return and
					// released on some: an unlock forgotten, not a lock
					// taken on a condition that an unlock repeats.
					if _, ok := s.must[k]; !ok && !s.deferred[k] && !h.guarded && h.block != nil && h.block.Dominates(ret.Block()) {
						mayHold[k] = h
					}
				}
			}
		}
		if len(b.Succs) == 0 {
			for k, p := range s.released {
				if !contains(sum.Releases, k) {
					sum.Releases = append(sum.Releases, p)
				}
			}
		}
	}
	for ret, held := range kept {
		for k, h := range held {
			if unkept[k] {
				sum.Leaks = append(sum.Leaks, Leak{Acquisition: h.Acquisition, Return: ret})
			}
		}
	}
	for k, h := range holds {
		if _, ok := mapRoot(fn, k); ok && !h.guarded {
			sum.Holds = append(sum.Holds, h.Acquisition)
		}
	}
	for k, h := range mayHold {
		if _, ok := mapRoot(fn, k); ok {
			sum.MayHold = append(sum.MayHold, h.Acquisition)
		}
	}
	return sum
}

func contains(ps []Path, k pathKey) bool {
	for _, p := range ps {
		if p.key() == k {
			return true
		}
	}
	return false
}

// mapRoot reports whether the lock k of fn is one its callers can name.
func mapRoot(fn *ssa.Function, k pathKey) (ssa.Value, bool) {
	switch k.root.(type) {
	case *ssa.Parameter, *ssa.FreeVar, *ssa.Global:
		return k.root, true
	}
	return nil, false
}

// step applies instr to s. It calls visit with each lock taken while
// others are held, and took with each lock taken.
func (a *Analysis) step(fn *ssa.Function, s *state, instr ssa.Instruction, visit func(Event), took func(Acquisition)) {
	switch instr := instr.(type) {
	case *ssa.Call:
		c := instr.Common()
		switch kind, mode, p := a.lockOp(c); kind {
		case acquire:
			acq := Acquisition{Lock: p, Mode: mode, Site: Site{Pos: instr.Pos(), Chain: []*ssa.Function{fn}},
				block: instr.Block(), guarded: a.guardedByParam(instr.Block())}
			a.taking(fn, heldOnce(s), instr, acq, visit, took)
			s.take(acq)
			return
		case release:
			s.release(p)
			return
		}
		for _, arg := range c.Args {
			// The body of a range-over-func loop runs during the
			// iterator's call.
			if mc, ok := arg.(*ssa.MakeClosure); ok {
				if body := mc.Fn.(*ssa.Function); body.Synthetic == "range-over-func yield" {
					a.call(fn, s, instr, body, nil, mc.Bindings, visit, took)
				}
			}
		}
		callee, bindings := staticCallee(c)
		if a.inPackage(callee) {
			a.call(fn, s, instr, callee, c.Args, bindings, visit, took)
			return
		}
		if dynamic := a.dynamicCallees(fn, c); len(dynamic) > 0 {
			for _, d := range dynamic {
				a.callDynamic(fn, s, instr, d, len(dynamic) == 1, visit, took)
			}
			return
		}
		for _, m := range a.formatted(c) {
			a.call(fn, s, instr, m.fn, []ssa.Value{m.recv}, nil, visit, took)
		}
	case *ssa.Go:
		// A goroutine that releases a lock its starter holds takes it
		// over (go resetTransportAndUnlock()): the starter no longer
		// holds it.
		c := instr.Common()
		callee, bindings := staticCallee(c)
		if !a.inPackage(callee) {
			return
		}
		for _, r := range a.summary(callee).Releases {
			if p, ok := r.mapInto(callee, c.Args, bindings); ok {
				s.release(p)
			}
		}
	case *ssa.Defer:
		c := instr.Common()
		if kind, _, p := a.lockOp(c); kind == release {
			s.deferred[p.key()] = true
			return
		}
		callee, bindings := staticCallee(c)
		if !a.inPackage(callee) {
			return
		}
		for _, r := range a.summary(callee).Releases {
			if p, ok := r.mapInto(callee, c.Args, bindings); ok {
				s.deferred[p.key()] = true
			}
		}
	}
}

// taking reports acq, taken at instr of fn with held().
func (a *Analysis) taking(fn *ssa.Function, held func() []Held, instr ssa.CallInstruction, acq Acquisition, visit func(Event), took func(Acquisition)) {
	if took != nil {
		took(acq)
	}
	if visit != nil {
		visit(Event{Fn: fn, Take: acq, At: instr, Held: held()})
	}
}

// heldOnce returns a function returning s.held(), computed once: the
// locks a call takes, reported one by one before the state changes,
// share it.
func heldOnce(s *state) func() []Held {
	var hs []Held
	done := false
	return func() []Held {
		if !done {
			hs, done = s.held(), true
		}
		return hs
	}
}

// call applies to s the summary of callee, called by instr of fn with
// args and bindings for its free variables.
func (a *Analysis) call(fn *ssa.Function, s *state, instr ssa.CallInstruction, callee *ssa.Function, args, bindings []ssa.Value, visit func(Event), took func(Acquisition)) {
	sum := a.summary(callee)
	guarded := a.guardedByParam(instr.Block())
	// What the callee takes matters only to those told of it, not to
	// the rounds of the walk that find the states.
	held := heldOnce(s)
	for _, acq := range whenTold(sum.Acquires, visit, took) {
		if acq.guarded || len(acq.Site.Chain) >= maxChain {
			// The callee takes the lock only when its caller says so
			// (a needLock parameter): not a lock this call must take.
			// Or it is too many calls away to name a path to.
			continue
		}
		acq.block, acq.guarded = instr.Block(), guarded
		if p, ok := a.throughBackPointer(callee, args, acq.Lock); ok {
			acq.Lock = p
		} else if p, ok := acq.Lock.mapInto(callee, args, bindings); ok {
			acq.Lock = p
		} else if acq.Lock.Type != "" {
			// A lock of the callee's own making (a map element, a
			// result): the caller cannot name it, but its type still
			// orders it.
			acq.Lock = Path{Type: acq.Lock.Type, Text: acq.Lock.Text}
		} else {
			continue
		}
		acq.Site.Chain = append([]*ssa.Function{fn}, acq.Site.Chain...)
		a.taking(fn, held, instr, acq, visit, took)
	}
	for _, r := range sum.Releases {
		if p, ok := r.mapInto(callee, args, bindings); ok {
			s.release(p)
		}
	}
	for _, acq := range sum.Holds {
		acq.block, acq.guarded = instr.Block(), guarded
		if p, ok := acq.Lock.mapInto(callee, args, bindings); ok {
			acq.Lock = p
			acq.Site.Chain = append([]*ssa.Function{fn}, acq.Site.Chain...)
			s.take(acq)
		}
	}
	for _, acq := range sum.MayHold {
		acq.block, acq.guarded = instr.Block(), guarded
		if p, ok := acq.Lock.mapInto(callee, args, bindings); ok {
			acq.Lock = p
			acq.Site.Chain = append([]*ssa.Function{fn}, acq.Site.Chain...)
			if _, held := s.must[p.key()]; !held {
				s.suspect[p.key()] = Held{Acquisition: acq, Maybe: true, Returner: callee}
			}
		}
	}
}

// maxChain bounds how many calls deep a lock taken by a callee counts
// for its callers. The locks a function reaches are the closure of its
// callees': on a large package, unbounded, most functions would carry
// hundreds, and a path of more calls than this is no longer one a
// reader follows.
const maxChain = 8

// whenTold returns acqs when visit or took is to be told of them, else
// nothing.
func whenTold(acqs []Acquisition, visit func(Event), took func(Acquisition)) []Acquisition {
	if visit == nil && took == nil {
		return nil
	}
	return acqs
}

// guardedByParam reports whether b runs only under a condition on a
// parameter of its function, as in if needLock { mu.Lock() }. It
// remembers each block's answer: a long else-if chain makes the
// dominator tree as deep as the function is long.
func (a *Analysis) guardedByParam(b *ssa.BasicBlock) bool {
	if g, ok := a.guarded[b]; ok {
		return g
	}
	g := false
	if d := b.Idom(); d != nil {
		cond, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		g = ok && fromParam(cond.Cond, 3) || a.guardedByParam(d)
	}
	a.guarded[b] = g
	return g
}

// fromParam reports whether v is computed from a parameter, within depth
// operations.
func fromParam(v ssa.Value, depth int) bool {
	if depth == 0 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return true
	case *ssa.UnOp:
		return v.Op == token.NOT && fromParam(v.X, depth-1)
	case *ssa.BinOp:
		return fromParam(v.X, depth-1) || fromParam(v.Y, depth-1)
	}
	return false
}

// live returns the successors of b that can run: both, unless b ends in
// an if on a constant (if false { return }).
func live(b *ssa.BasicBlock) []*ssa.BasicBlock {
	if len(b.Instrs) == 0 {
		return b.Succs
	}
	if cond, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
		if c, ok := cond.Cond.(*ssa.Const); ok && c.Value != nil && len(b.Succs) == 2 {
			if constant.BoolVal(c.Value) {
				return b.Succs[:1]
			}
			return b.Succs[1:]
		}
	}
	return b.Succs
}

// returnsError reports whether ret returns, last, an error that is not
// nil: a package's error variable or a new error.
func returnsError(ret *ssa.Return) bool {
	if len(ret.Results) == 0 {
		return false
	}
	v := ret.Results[len(ret.Results)-1]
	if !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		_, global := v.X.(*ssa.Global)
		return v.Op == token.MUL && global
	case *ssa.MakeInterface:
		return true
	case *ssa.Call:
		callee := v.Common().StaticCallee()
		return callee != nil && callee.Pkg != nil &&
			(callee.Pkg.Pkg.Path() == "errors" && callee.Name() == "New" || callee.Pkg.Pkg.Path() == "fmt" && callee.Name() == "Errorf")
	}
	return false
}

// inLoop reports whether control can come back to b once it has left it.
func inLoop(b *ssa.BasicBlock) bool {
	if b == nil {
		return false
	}
	seen := map[*ssa.BasicBlock]bool{}
	work := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(work) > 0 {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		if c == b {
			return true
		}
		if !seen[c] {
			seen[c] = true
			work = append(work, c.Succs...)
		}
	}
	return false
}
