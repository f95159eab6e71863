package a

type status struct{}

// A node whose Status can be called after Stop: the shape of etcd#6857.
type node struct {
	status chan chan status
	stop   chan struct{}
	done   chan struct{}
}

func newNode() *node {
	n := &node{status: make(chan chan status), stop: make(chan struct{}), done: make(chan struct{})}
	go n.run()
	return n
}

func (n *node) Status() status {
	c := make(chan status)
	n.status <- c // want "send on `node.status` blocks forever once `\\(\\*node\\).run`, its only receiver, has returned \\(a.go:31\\): select on what stops it too"
	return <-c
}

func (n *node) run() {
	for {
		select {
		case c := <-n.status:
			c <- status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *node) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

// Quiet: the fixed Status selects on done.
type fixedNode struct {
	status chan chan status
	done   chan struct{}
}

func newFixedNode() *fixedNode {
	n := &fixedNode{status: make(chan chan status), done: make(chan struct{})}
	go n.run()
	return n
}

func (n *fixedNode) Status() status {
	c := make(chan status)
	select {
	case n.status <- c:
	case <-n.done:
		return status{}
	}
	return <-c
}

func (n *fixedNode) run() {
	defer close(n.done)
	for {
		select {
		case c := <-n.status:
			c <- status{}
		}
	}
}

// Quiet: a buffered channel.
type buffered struct {
	reqs chan int
	stop chan struct{}
}

func newBuffered() *buffered {
	b := &buffered{reqs: make(chan int, 1), stop: make(chan struct{})}
	go b.run()
	return b
}

func (b *buffered) put(v int) { b.reqs <- v }

func (b *buffered) run() {
	for {
		select {
		case <-b.reqs:
		case <-b.stop:
			return
		}
	}
}

// Quiet: the loop never returns.
type forever struct{ reqs chan int }

func newForever() *forever {
	f := &forever{reqs: make(chan int)}
	go f.run()
	return f
}

func (f *forever) put(v int) { f.reqs <- v }

func (f *forever) run() {
	for {
		select {
		case <-f.reqs:
		}
	}
}

// Quiet: a plain receive elsewhere may take the send.
type twoReaders struct {
	reqs chan int
	stop chan struct{}
}

func newTwoReaders() *twoReaders {
	t := &twoReaders{reqs: make(chan int), stop: make(chan struct{})}
	go t.run()
	return t
}

func (t *twoReaders) put(v int) { t.reqs <- v }
func (t *twoReaders) take() int { return <-t.reqs }

func (t *twoReaders) run() {
	for {
		select {
		case <-t.reqs:
		case <-t.stop:
			return
		}
	}
}

// A watcher whose events stop coming once its loop returns.
type watcher struct {
	events chan int
	stop   chan struct{}
}

func newWatcher() *watcher {
	w := &watcher{events: make(chan int), stop: make(chan struct{})}
	go w.run()
	return w
}

func (w *watcher) next() int {
	return <-w.events // want "receive from `watcher.events` blocks forever once `\\(\\*watcher\\).run`, its only sender, has returned \\(a.go:1[0-9][0-9]\\): select on what stops it too"
}

func (w *watcher) run() {
	for i := 0; ; i++ {
		select {
		case w.events <- i:
		case <-w.stop:
			return
		}
	}
}

// Quiet: the loop closes the channel when it returns.
type closingWatcher struct {
	events chan int
	stop   chan struct{}
}

func newClosingWatcher() *closingWatcher {
	w := &closingWatcher{events: make(chan int), stop: make(chan struct{})}
	go w.run()
	return w
}

func (w *closingWatcher) next() (int, bool) {
	v, ok := <-w.events
	return v, ok
}

func (w *closingWatcher) run() {
	defer close(w.events)
	for i := 0; ; i++ {
		select {
		case w.events <- i:
		case <-w.stop:
			return
		}
	}
}

// A loop started through the package's worker runner.
type stopper struct{}

func (s *stopper) runWorker(f func()) {
	go func() {
		defer func() {}()
		f()
	}()
}

type queue struct {
	reqs chan int
	stop chan struct{}
}

func newQueue(s *stopper) *queue {
	q := &queue{reqs: make(chan int), stop: make(chan struct{})}
	s.runWorker(func() {
		for {
			select {
			case <-q.reqs:
			case <-q.stop:
				return
			}
		}
	})
	return q
}

func (q *queue) put(v int) {
	q.reqs <- v // want "send on `queue.reqs` blocks forever once `newQueue\\$1`, its only receiver, has returned"
}

// Quiet, and no crash: a function value kept in a package variable or a
// field rather than a cell.
var hook func()

type holder struct{ f func() }

func keep(f func(), h *holder) {
	hook = f
	h.f = f
}

// A loop given the channel, run by a goroutine's closure: the shape of a
// transport whose events nobody reads once the processor has stopped.
type transport struct {
	events chan int
	stop   chan struct{}
}

func newTransport(s *stopper) *transport {
	t := &transport{events: make(chan int), stop: make(chan struct{})}
	s.runWorker(func() { processUntil(t.events, t.stop) })
	return t
}

func processUntil(ch <-chan int, stop <-chan struct{}) {
	for {
		select {
		case <-ch:
		case <-stop:
			return
		}
	}
}

func (t *transport) publish(v int) {
	t.events <- v // want "send on `transport.events` blocks forever once `processUntil`, its only receiver, has returned"
}
