package a

import "sync"

// A hub holds its lock while it calls its handler, an interface of
// the package whose one implementation points back at the hub and
// takes its lock.
type handler interface{ handle(int) }

type tally struct{ srv *hub }

func (t *tally) handle(n int) { t.srv.add(n) }

type hub struct {
	mu sync.Mutex
	h  handler
	n  int
}

func (s *hub) add(n int) {
	s.mu.Lock() // want "`s.mu` is locked at backptr.go:33 and locked again at backptr.go:21 through `\\(\\*hub\\).serve` → `\\(\\*tally\\).handle` → `\\(\\*hub\\).add`: blocks forever"
	defer s.mu.Unlock()
	s.n += n
}

func newHub() *hub {
	s := &hub{}
	s.h = &tally{srv: s}
	return s
}

func (s *hub) serve(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.handle(n)
}

// Quiet: the handler points at another hub, not the one calling it.
type forwarder struct {
	mu   sync.Mutex
	next handler
}

func newForwarder(other *hub) *forwarder {
	f := &forwarder{}
	f.next = &tally{srv: other}
	return f
}

func (f *forwarder) serve(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next.handle(n)
}
