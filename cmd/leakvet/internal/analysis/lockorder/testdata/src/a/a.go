package a

import "sync"

// A store and its replicas lock each other in both orders, through
// calls: the shape of cockroach#10214.
type Store struct {
	mu       sync.Mutex
	replicas map[int]*Replica
}

type Replica struct {
	raftMu sync.Mutex
	store  *Store
}

func (s *Store) sendHeartbeats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.replicas {
		r.reportUnreachable()
	}
}

func (r *Replica) reportUnreachable() {
	r.raftMu.Lock() // want "lock order inverted: `Replica.raftMu` is locked here while `Store.mu` is held \\(locked at a.go:18\\) through `\\(\\*Store\\).sendHeartbeats` → `\\(\\*Replica\\).reportUnreachable`, and `Store.mu` at a.go:37 through `\\(\\*Replica\\).tick` → `\\(\\*Replica\\).coalesce` while `Replica.raftMu` is held"
	defer r.raftMu.Unlock()
}

func (r *Replica) tick() {
	r.raftMu.Lock()
	defer r.raftMu.Unlock()
	r.coalesce()
}

func (r *Replica) coalesce() {
	r.store.mu.Lock() // want "lock order inverted: `Store.mu` is locked here while `Replica.raftMu` is held"
	r.store.mu.Unlock()
}

// Quiet: one order everywhere.
type Table struct {
	mu    sync.Mutex
	cache *Cache
}

type Cache struct {
	mu sync.RWMutex
}

func (t *Table) Get() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cache.mu.RLock()
	t.cache.mu.RUnlock()
}

func (t *Table) Put() {
	t.mu.Lock()
	t.cache.mu.Lock()
	t.cache.mu.Unlock()
	t.mu.Unlock()
}

// Quiet: both orders, but only for reading: readers do not exclude
// each other.
type Left struct{ mu sync.RWMutex }
type Right struct{ mu sync.RWMutex }

func ReadLR(l *Left, r *Right) {
	l.mu.RLock()
	r.mu.RLock()
	r.mu.RUnlock()
	l.mu.RUnlock()
}

func ReadRL(l *Left, r *Right) {
	r.mu.RLock()
	l.mu.RLock()
	l.mu.RUnlock()
	r.mu.RUnlock()
}

// Quiet: a node locks its child, of the same type and field.
type Node struct {
	mu    sync.Mutex
	child *Node
}

func (n *Node) Walk() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.child != nil {
		n.child.mu.Lock()
		n.child.mu.Unlock()
	}
}

// Quiet: the other order is taken on an object nobody else has yet.
type Conn struct {
	mu  sync.Mutex
	srv *Server
}

type Server struct {
	mu    sync.Mutex
	conns []*Conn
}

func (s *Server) Broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.mu.Lock()
		c.mu.Unlock()
	}
}

func (s *Server) Accept() *Conn {
	c := &Conn{srv: s}
	c.mu.Lock()
	defer c.mu.Unlock()
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	return c
}
