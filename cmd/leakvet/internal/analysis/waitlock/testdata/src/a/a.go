package a

import "sync"

// A server that waits for its workers holding the lock they need to
// finish.
type server struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	quit   chan struct{}
	active int
}

func (s *server) start() {
	s.wg.Add(1)
	go s.worker()
}

func (s *server) worker() {
	defer s.wg.Done()
	<-s.quit
	s.mu.Lock()
	s.active--
	s.mu.Unlock()
}

func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	s.wg.Wait() // want "Wait on `server.wg` holding `s.mu` \\(locked at a.go:28\\) blocks forever: every Done on it \\(a.go:20\\) comes after taking `server.mu`"
}

// A local group whose workers record their results under the lock,
// through a method.
type results struct {
	mu  sync.Mutex
	all []int
}

func (r *results) add(v int) {
	r.mu.Lock()
	r.all = append(r.all, v)
	r.mu.Unlock()
}

func (r *results) collect(n int) {
	var wg sync.WaitGroup
	r.mu.Lock()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			r.add(i)
			wg.Done()
		}()
	}
	wg.Wait() // want "Wait on `wg` holding `r.mu` \\(locked at a.go:49\\) blocks forever: every Done on it \\(a.go:54\\) comes after taking `results.mu`"
	r.mu.Unlock()
}

// Quiet: the lock is let go before the Wait.
func (s *server) stopUnlocked() {
	s.mu.Lock()
	close(s.quit)
	s.mu.Unlock()
	s.wg.Wait()
}

// Quiet: a worker takes the lock only on some paths.
type sometimes struct {
	mu sync.Mutex
	wg sync.WaitGroup
	n  int
}

func (s *sometimes) work(record bool) {
	defer s.wg.Done()
	if record {
		s.mu.Lock()
		s.n++
		s.mu.Unlock()
	}
}

func (s *sometimes) run() {
	s.wg.Add(1)
	go s.work(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wg.Wait()
}

// Quiet: both sides only read.
type readers struct {
	mu sync.RWMutex
	wg sync.WaitGroup
	m  map[int]int
}

func (r *readers) lookup(k int) {
	defer r.wg.Done()
	r.mu.RLock()
	_ = r.m[k]
	r.mu.RUnlock()
}

func (r *readers) all(keys []int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range keys {
		r.wg.Add(1)
		go r.lookup(k)
	}
	r.wg.Wait()
}

// Quiet: the worker marks Done before it takes the lock.
type early struct {
	mu sync.Mutex
	wg sync.WaitGroup
}

func (e *early) work() {
	e.wg.Done()
	e.mu.Lock()
	e.mu.Unlock()
}

func (e *early) run() {
	e.wg.Add(1)
	go e.work()
	e.mu.Lock()
	e.wg.Wait()
	e.mu.Unlock()
}
