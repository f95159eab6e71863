package a

import "sync"

// Quiet: a runner's setup callback is optional. The scheduler starts a
// runner holding its lock with no setup; only the queueFeeder, holding
// nothing, passes the setup that fills the queue whose consumer takes the
// scheduler's lock.
type runner struct{}

func (runner) start(setup func(), loop func()) {
	if setup != nil {
		setup()
	}
	go loop()
}

type scheduler struct {
	mu    sync.Mutex
	r     runner
	ticks int
}

func (s *scheduler) onChange() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.r.start(nil, func() { s.ticks++ })
}

type queueFeeder struct {
	s     *scheduler
	r     runner
	queue chan int
}

func newQueueFeeder(s *scheduler) *queueFeeder {
	f := &queueFeeder{s: s, queue: make(chan int)}
	f.r.start(func() { f.queue <- 1 }, func() {
		for range f.queue {
			f.s.onChange()
		}
	})
	return f
}
