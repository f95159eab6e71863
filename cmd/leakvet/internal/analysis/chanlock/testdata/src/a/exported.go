package a

import "sync"

// A Watcher is the package's interface, implemented by an unexported
// type nothing outside the package can get hold of: its exported
// Updates is called by the package alone.
type Watcher interface {
	Updates() <-chan []string
	Register() (cancel func())
}

type resolver struct {
	mu      sync.Mutex
	updates chan []string
	names   []string
}

func (r *resolver) Updates() <-chan []string { return r.updates }

func (r *resolver) Register() func() {
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.names = r.names[:0]
	}
}

func (r *resolver) resolve(names []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = names
	r.updates <- names // want "send on `r.updates` holding `r.mu` \\(locked at exported.go:30\\) blocks forever: every receive from it \\(exported.go:48\\) takes `resolver.mu` first"
}

type subConn struct {
	cancel func()
}

// Dialer is exported, but its fields are not: the Watcher it keeps is
// out of other packages' reach.
type Dialer struct {
	w    Watcher
	subs []*subConn
}

func (d *Dialer) watch() {
	for range d.w.Updates() {
		for _, s := range d.subs {
			s.cancel()
		}
	}
}

// NewDialer starts the watch.
func NewDialer() *Dialer {
	r := &resolver{updates: make(chan []string)}
	d := &Dialer{w: r}
	d.subs = append(d.subs, &subConn{cancel: d.w.Register()})
	go d.watch()
	return d
}

// Quiet: Source hands its feeder out, so other packages may read
// Events without the lock.
type Source interface{ Events() <-chan int }

type feeder struct {
	mu sync.Mutex
	ch chan int
}

// NewSource returns the feeder as a Source.
func NewSource() Source { return &feeder{ch: make(chan int)} }

func (f *feeder) Events() <-chan int { return f.ch }

func (f *feeder) emit() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ch <- 1
}

func (f *feeder) consume() {
	for range f.Events() {
		f.mu.Lock()
		f.mu.Unlock()
	}
}

// Quiet: an exported field of an exported type is other packages' too.
type Pipe struct {
	mu sync.Mutex
	C  chan int
}

// NewPipe makes a Pipe.
func NewPipe() *Pipe { return &Pipe{C: make(chan int)} }

func (p *Pipe) put() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.C <- 1
}

func (p *Pipe) get() {
	for range p.C {
		p.mu.Lock()
		p.mu.Unlock()
	}
}

// Quiet: the package hands its ticker to another package's interface
// (any, here), whose holder may call Ticks and receive without the lock.
type ticker struct {
	mu sync.Mutex
	c  chan int
}

func (t *ticker) Ticks() <-chan int { return t.c }

func (t *ticker) tick() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.c <- 1
}

func (t *ticker) count() {
	for range t.Ticks() {
		t.mu.Lock()
		t.mu.Unlock()
	}
}

func startTicker() {
	t := &ticker{c: make(chan int)}
	hand(t)
}

func hand(v any) { _ = v }
