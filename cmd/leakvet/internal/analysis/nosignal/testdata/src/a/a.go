package a

import "sync"

// A queue whose push forgot to wake the poppers.
type queue struct {
	mu       sync.Mutex
	nonEmpty *sync.Cond
	items    []int
}

func newQueue() *queue {
	q := &queue{}
	q.nonEmpty = sync.NewCond(&q.mu)
	return q
}

func (q *queue) push(v int) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
}

func (q *queue) pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.nonEmpty.Wait() // want "Wait blocks forever: nothing calls Signal or Broadcast on `queue.nonEmpty`"
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// A Cond held as a value, waited on through its own L, and signalled on
// the wrong variable.
type gate struct {
	open, closed sync.Cond
	isOpen       bool
}

func (g *gate) wait() {
	g.open.L.Lock()
	for !g.isOpen {
		g.open.Wait() // want "Wait blocks forever: nothing calls Signal or Broadcast on `gate.open`"
	}
	g.open.L.Unlock()
}

func (g *gate) set() {
	g.open.L.Lock()
	g.isOpen = true
	g.closed.Broadcast()
	g.open.L.Unlock()
}

// A local Cond whose signaller is a closure that never signals.
func await(mu *sync.Mutex, ready *bool) {
	c := sync.NewCond(mu)
	go func() {
		mu.Lock()
		*ready = true
		mu.Unlock()
		_ = c
	}()
	mu.Lock()
	for !*ready {
		c.Wait() // want "Wait blocks forever: nothing calls Signal or Broadcast on `the Cond`"
	}
	mu.Unlock()
}

// Quiet: signalled through a function of the package.
type pool struct {
	mu   sync.Mutex
	free *sync.Cond
	n    int
}

func newPool() *pool {
	p := &pool{}
	p.free = sync.NewCond(&p.mu)
	return p
}

func release(c *sync.Cond) { c.Signal() }

func (p *pool) put() {
	p.mu.Lock()
	p.n++
	release(p.free)
	p.mu.Unlock()
}

func (p *pool) get() {
	p.mu.Lock()
	for p.n == 0 {
		p.free.Wait()
	}
	p.n--
	p.mu.Unlock()
}

// Quiet: handed to another package, which may signal it.
type shared struct{ c *sync.Cond }

func newShared(register func(*sync.Cond)) *shared {
	s := &shared{c: sync.NewCond(&sync.Mutex{})}
	register(s.c)
	return s
}

func (s *shared) wait() {
	s.c.L.Lock()
	s.c.Wait()
	s.c.L.Unlock()
}

// Quiet: others may signal an exported field.
type Exported struct{ Ready *sync.Cond }

func (e *Exported) Wait() { e.Ready.Wait() }
