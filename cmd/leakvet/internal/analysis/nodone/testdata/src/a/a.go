package a

import "sync"

// A stopper counting tasks that never says one finished: the shape of
// cockroach#1055.
type stopper struct {
	mu    sync.Mutex
	drain sync.WaitGroup
	stop  sync.WaitGroup
}

func (s *stopper) startTask() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drain.Add(1)
}

func (s *stopper) quiesce() {
	s.drain.Wait() // want "Wait blocks forever once Add has run \\(a.go:16\\): nothing calls Done on `stopper.drain`"
}

// Quiet: stop is finished by the workers.
func (s *stopper) runWorker(f func()) {
	s.stop.Add(1)
	go func() {
		defer s.stop.Done()
		f()
	}()
}

func (s *stopper) halt() { s.stop.Wait() }

// A local group whose workers were given the work but not the group.
func fanOut(jobs []func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go j()
	}
	wg.Wait() // want "Wait blocks forever once Add has run \\(a.go:38\\): nothing calls Done on `wg`"
}

// Quiet: the workers call Done through a function of the package.
func fanOutFixed(jobs []func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go work(&wg, j)
	}
	wg.Wait()
}

func work(wg *sync.WaitGroup, j func()) {
	defer wg.Done()
	j()
}

// Quiet: the group goes to another package, which may finish it.
func handOff(start func(*sync.WaitGroup)) {
	var wg sync.WaitGroup
	wg.Add(1)
	start(&wg)
	wg.Wait()
}

// Quiet: an Add of a count it cannot see may be negative.
func adjust(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	wg.Add(n)
	wg.Wait()
}

// Quiet: other packages may call Done on an exported field.
type Pool struct {
	Active sync.WaitGroup
}

func (p *Pool) Start() { p.Active.Add(1) }
func (p *Pool) Drain() { p.Active.Wait() }

// Quiet: nothing was added, Wait returns at once.
func nothingAdded() {
	var wg sync.WaitGroup
	wg.Wait()
}
