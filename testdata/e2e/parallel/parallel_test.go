// Package parallel is run by leakcheck's end-to-end tests with -parallel,
// -count, -shuffle and -race: exactly the tests named TestLeak* (and
// their parents) must fail, every time.
package parallel

import (
	"context"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// busy keeps goroutines alive for most of the test, so that they overlap
// with the goroutines of the tests around it.
func busy(t *testing.T, d time.Duration) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ticker := time.NewTicker(time.Millisecond)
			defer ticker.Stop()
			for {
				select {
				case <-stop:
					return
				case <-ticker.C:
				}
			}
		}()
	}
	time.Sleep(d)
	close(stop)
	wg.Wait()
}

func TestCleanShort(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	busy(t, 2*time.Millisecond)
}

func TestCleanLong(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	busy(t, 30*time.Millisecond)
}

// Its goroutines stop only when the test's context is cancelled, just
// before the cleanups run.
func TestCleanContext(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // as t.Context (go1.24): cancelled before the check runs
	for range 5 {
		go func() { <-ctx.Done() }()
	}
	time.Sleep(10 * time.Millisecond)
}

func TestCleanAsyncShutdown(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	stop := make(chan struct{})
	go func() {
		<-stop
		time.Sleep(20 * time.Millisecond) // still running after the test
	}()
	t.Cleanup(func() { close(stop) })
}

func TestCleanSubtests(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			busy(t, d)
		})
	}
}

func TestLeakSend(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ch := make(chan int)
	go func() { ch <- 1 }()
	busy(t, 5*time.Millisecond)
}

func TestLeakSelect(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	a, b := make(chan int), make(chan int)
	go func() {
		select {
		case <-a:
		case <-b:
		}
	}()
}

func TestLeakWaitGroup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var wg sync.WaitGroup
	wg.Add(2)
	go wg.Done()
	go wg.Wait()
}

func TestLeakMutex(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock()
		defer mu.Unlock()
	}()
}

func TestLeakNilChannel(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var ch chan int
	go func() { <-ch }()
}

// The leaked goroutine's creator has exited before the check.
func TestLeakAtDepth(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		ch := make(chan int)
		go func() { ch <- 1 }()
	}()
	<-done
}

// A library replacing the goroutine's labels does not hide the leak: its
// creator link still leads to the test.
func TestLeakLabelsReplaced(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	pprof.Do(context.Background(), pprof.Labels("library", "worker"), func(context.Context) {
		ch := make(chan int)
		go func() { ch <- 1 }()
	})
}

// Not provable by the runtime: reported once MaxWait has passed.
func TestLeakSleepingLoop(t *testing.T) {
	leakcheck.Verify(t, leakcheck.MaxWait(300*time.Millisecond))
	t.Parallel()
	go func() {
		for {
			time.Sleep(5 * time.Millisecond)
		}
	}()
}

var held = make(chan int)

// The channel is reachable from a global: not provable either.
func TestLeakGlobalChannel(t *testing.T) {
	leakcheck.Verify(t, leakcheck.MaxWait(300*time.Millisecond))
	t.Parallel()
	go func() { <-held }()
}

// A parent that calls Verify covers subtests that do not; a subtest that
// calls Verify reports its own leak, once.
func TestLeakInSubtests(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	t.Run("CoveredByParent", func(t *testing.T) {
		t.Parallel()
		ch := make(chan int)
		go func() { ch <- 1 }()
	})
	t.Run("OwnCheck", func(t *testing.T) {
		leakcheck.Verify(t)
		t.Parallel()
		ch := make(chan string)
		go func() { ch <- "own" }()
	})
	t.Run("Clean", func(t *testing.T) {
		leakcheck.Verify(t)
		t.Parallel()
		busy(t, 3*time.Millisecond)
	})
}
