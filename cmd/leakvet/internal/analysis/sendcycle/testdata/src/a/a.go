package a

// A store's loop handles events whose callbacks send to the state's
// loop, which sends the next events while the store handles the last
// one: the shape of cockroach#2448.
type stopper struct{ done chan struct{} }

func (s *stopper) shouldStop() <-chan struct{} { return s.done }
func (s *stopper) stop()                       { close(s.done) }

type event struct{ callback func() }

type raft struct {
	stopper   *stopper
	events    chan event
	callbacks chan func()
}

func newRaft() *raft {
	return &raft{stopper: &stopper{done: make(chan struct{})}, events: make(chan event), callbacks: make(chan func())}
}

func (r *raft) sendEvent(e event) {
	select { // want "send on `raft.events` blocks forever if `\\(\\*raft\\).processRaft`, its only receiver, is sending on `raft.callbacks` \\(a.go:56 through `\\(\\*raft\\).processRaft` → `\\(\\*raft\\).commit\\$1`\\), which only `\\(\\*raft\\).start` receives, and `\\(\\*raft\\).start` makes this send through `\\(\\*raft\\).start` → `\\(\\*raft\\).commit` → `\\(\\*raft\\).sendEvent`: each waits for the other"
	case r.events <- e:
	case <-r.stopper.shouldStop():
	}
}

func (r *raft) start() {
	for {
		select {
		case <-r.stopper.shouldStop():
			return
		case cb := <-r.callbacks:
			cb()
		default:
			r.commit()
		}
	}
}

func (r *raft) processRaft() {
	for {
		select {
		case e := <-r.events:
			e.callback()
		case <-r.stopper.shouldStop():
			return
		}
	}
}

func (r *raft) commit() {
	r.sendEvent(event{callback: func() {
		r.callbacks <- func() {} // want "send on `raft.callbacks` blocks forever if `\\(\\*raft\\).start`, its only receiver, is sending on `raft.events`"
	}})
}

func run() {
	r := newRaft()
	go r.processRaft()
	go r.start()
}

// Quiet: the reply goes back on a buffered channel.
type pair struct {
	requests chan int
	replies  chan int
	stop     chan struct{}
}

func newPair() *pair {
	return &pair{requests: make(chan int), replies: make(chan int, 1), stop: make(chan struct{})}
}

func (p *pair) server() {
	for {
		select {
		case v := <-p.requests:
			p.replies <- v
		case <-p.stop:
			return
		}
	}
}

func (p *pair) client() {
	for {
		select {
		case <-p.replies:
		case <-p.stop:
			return
		default:
			p.requests <- 1
		}
	}
}

func (p *pair) run() {
	go p.server()
	go p.client()
}

// Quiet: the sender gives up on a case that others send on (a timer, a
// second source): it does not wait for its receiver alone.
type either struct {
	in, out, other chan int
}

func newEither() *either {
	return &either{in: make(chan int), out: make(chan int), other: make(chan int)}
}

func (e *either) a() {
	for {
		v := <-e.in
		select {
		case e.out <- v:
		case <-e.other:
		}
	}
}

func (e *either) b() {
	for {
		v := <-e.out
		e.in <- v
	}
}

func (e *either) poke() { e.other <- 1 }

func (e *either) run() {
	go e.a()
	go e.b()
}
