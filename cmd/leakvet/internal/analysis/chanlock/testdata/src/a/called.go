package a

import "sync"

// The send is made by a helper that holds no lock; its caller holds the
// lock the receiver takes first.
type mailbox struct {
	mu   sync.Mutex
	in   chan int
	seen int
}

func newMailbox() *mailbox {
	m := &mailbox{in: make(chan int)}
	go m.loop()
	return m
}

func (m *mailbox) deliver(v int) {
	m.in <- v // want "send on `m.in`, through `\\(\\*mailbox\\).Post` → `\\(\\*mailbox\\).deliver`, holding `m.mu` \\(locked at called.go:24\\) blocks forever: every receive from it \\(called.go:34\\) takes `mailbox.mu` first"
}

func (m *mailbox) Post(v int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deliver(v)
}

func (m *mailbox) loop() {
	for {
		m.mu.Lock()
		m.seen++
		m.mu.Unlock()
		<-m.in
	}
}

// Quiet: the helper lets the lock go around the send.
type relay struct {
	mu sync.Mutex
	in chan int
}

func newRelay() *relay {
	r := &relay{in: make(chan int)}
	go r.loop()
	return r
}

func (r *relay) forward(v int) {
	r.mu.Unlock()
	r.in <- v
	r.mu.Lock()
}

func (r *relay) Post(v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forward(v)
}

func (r *relay) loop() {
	for {
		r.mu.Lock()
		r.mu.Unlock()
		<-r.in
	}
}

// Quiet: the call may run either implementation of the package's
// interface; only one of them sends.
type sink interface{ put(int) }

type chanSink struct{ c chan int }

func (s *chanSink) put(v int) { s.c <- v }

type nopSink struct{}

func (nopSink) put(int) {}

type pipeline struct {
	mu   sync.Mutex
	out  sink
	sent int
}

func newPipeline(s *chanSink) *pipeline {
	s.c = make(chan int)
	p := &pipeline{out: s}
	go func() {
		for range s.c {
			p.mu.Lock()
			p.sent++
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *pipeline) emit(v int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out.put(v)
}

var _ sink = nopSink{}
