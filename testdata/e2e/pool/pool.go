// Package pool is a small worker pool in the shape of a real one: a pool
// runs a purge loop and a tick loop on tickers until it is released, and
// its workers recover a task's panic and keep the panic's stack.
package pool

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// A Pool runs tasks on workers.
type Pool struct {
	done    chan struct{}
	once    sync.Once
	Panics  chan string // the stack of each recovered panic, as debug.Stack prints it
	workers sync.WaitGroup
}

// New starts a pool and its two loops.
func New() *Pool {
	p := &Pool{done: make(chan struct{}), Panics: make(chan string, 32)}
	go p.purgeStaleWorkers()
	go p.ticktock()
	return p
}

func (p *Pool) purgeStaleWorkers() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.done:
			return
		}
	}
}

func (p *Pool) ticktock() {
	t := time.NewTicker(30 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.done:
			return
		}
	}
}

// Submit runs task on a new worker, which recovers a panic and sends the
// panic's stack to Panics.
func (p *Pool) Submit(task func()) {
	p.workers.Add(1)
	go p.run(task)
}

func (p *Pool) run(task func()) {
	defer p.workers.Done()
	defer func() {
		if r := recover(); r != nil {
			p.Panics <- string(debug.Stack())
		}
	}()
	task()
}

// Wait waits for the workers.
func (p *Pool) Wait() { p.workers.Wait() }

// Release stops the loops.
func (p *Pool) Release() { p.once.Do(func() { close(p.done) }) }

// Spin starts a worker that waits for stop by yielding in a loop, never
// blocking: it keeps a CPU busy until stop is set.
func Spin(stop *atomic.Bool) {
	go func() {
		for !stop.Load() {
			runtime.Gosched()
		}
	}()
}

// Forever starts a goroutine in a select that nothing can ever wake: no
// timer, no channel anyone else holds.
func Forever() {
	a, b := make(chan int), make(chan int)
	go func() {
		select {
		case <-a:
		case <-b:
		}
	}()
}
