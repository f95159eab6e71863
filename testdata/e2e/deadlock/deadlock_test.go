// Package deadlock holds tests that deadlock, each in its own way, and
// tests that block for a second or two and then go on. The deadlocking
// tests run only when E2E_DEADLOCK names them: each ends the test binary.
package deadlock

import (
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/testdata/e2e/internal/tiny"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}

// deadlockCase skips the test unless E2E_DEADLOCK names it.
func deadlockCase(t *testing.T) {
	if os.Getenv("E2E_DEADLOCK") != t.Name() {
		t.Skip("deadlocks on purpose; run with E2E_DEADLOCK=" + t.Name())
	}
	leakcheck.Verify(t)
}

type store struct {
	mu    sync.Mutex
	items map[string]int
}

//go:noinline
func newStore() *store { return &store{items: map[string]int{}} }

func (s *store) Add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[k]++
}

// AddTwice calls Add with the lock held: the classic self-deadlock.
func (s *store) AddTwice(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Add(k)
}

func TestMutexLockedTwice(t *testing.T) {
	deadlockCase(t)
	newStore().AddTwice("x")
}

// tinyStore's mutex is 8 bytes without pointers, allocated alone: it
// shares a tiny-allocation block, which the garbage collection of the
// runtime's first proof keeps alive (GoKer's istio_16224).
type tinyStore struct{ mu sync.Mutex }

func TestTinyMutexLockedTwice(t *testing.T) {
	deadlockCase(t)
	s := tiny.New[tinyStore]()
	s.mu.Lock()
	s.mu.Lock()
}

func TestRWMutexUpgrade(t *testing.T) {
	deadlockCase(t)
	rw := new(sync.RWMutex)
	rw.RLock()
	rw.Lock() // waits for the read lock this goroutine holds
}

func TestWaitForStuckWorker(t *testing.T) {
	deadlockCase(t)
	jobs := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range jobs { // nobody sends, nobody closes
		}
	}()
	<-done
}

func TestWaitGroupOneShort(t *testing.T) {
	deadlockCase(t)
	var wg sync.WaitGroup
	wg.Add(2)
	go wg.Done()
	wg.Wait()
}

func TestCondNeverSignalled(t *testing.T) {
	deadlockCase(t)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	c.Wait()
}

func TestLocksInOppositeOrder(t *testing.T) {
	deadlockCase(t)
	a, b := new(sync.Mutex), new(sync.Mutex)
	holding := make(chan struct{})
	go func() {
		b.Lock()
		holding <- struct{}{}
		a.Lock()
	}()
	a.Lock()
	<-holding
	b.Lock()
}

func TestParallelSubtests(t *testing.T) {
	deadlockCase(t)
	for _, name := range []string{"fast", "stuck", "slow"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			switch name {
			case "stuck":
				<-make(chan int)
			case "slow":
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

// The tests below block for about two seconds, longer than the watcher
// waits before it asks the runtime for a proof, and then go on: they must
// pass.

const pause = 2 * time.Second

func TestProgressSlowSender(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ch := make(chan int)
	go func() {
		time.Sleep(pause)
		ch <- 1
	}()
	<-ch
}

func TestProgressTimer(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	<-time.After(pause)
}

func TestProgressMutexHeldBySleeper(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	mu := new(sync.Mutex)
	locked := make(chan struct{})
	go func() {
		mu.Lock()
		close(locked)
		time.Sleep(pause)
		mu.Unlock()
	}()
	<-locked
	mu.Lock()
	mu.Unlock()
}

func TestProgressLoopbackAccept(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		time.Sleep(pause)
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestProgressHandOffs(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	first := make(chan int)
	in := first
	for range 4 {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			v := <-in
			time.Sleep(pause / 4)
			out <- v + 1
		}(in, out)
		in = out
	}
	first <- 0
	if v := <-in; v != 4 {
		t.Errorf("got %d after the hand-offs, want 4", v)
	}
}

func TestProgressWaitGroup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); time.Sleep(pause) }()
	}
	wg.Wait()
}
