package stress

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// Leaks that cost CPU, sockets or a lot of memory are released by a
// cleanup registered before Verify, which therefore runs after the check:
// the check still sees them, and -count=50 does not pile them up. The
// other leaks stay, parked, as they would in a real test binary.

// leakWait keeps the leaking tests fast where the runtime cannot prove
// their leaks (or, on go1.26 without the leak profile, prove anything).
var leakWait = leakcheck.MaxWait(100 * time.Millisecond)

// sharedServer outlives every test, like a server in another process:
// started by init, it is no test's goroutine.
var sharedServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "hello")
}))

// Send on an unbuffered channel nobody reads.
func TestLeakUnreadSend(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	ch := make(chan int)
	go func() { ch <- 1 }()
}

// Range over a channel never closed.
func TestLeakRangeNeverClosed(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	ch := make(chan int)
	go func() {
		for range ch {
		}
	}()
	ch <- 1
}

// A context never cancelled.
func TestLeakContextNeverCancelled(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel // never called: the leak under test
	go func() { <-ctx.Done() }()
}

// A timeout that is not passed down: the worker waits on the parent.
func TestLeakTimeoutNotPassedDown(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	parent, cancelParent := context.WithCancel(context.Background())
	_ = cancelParent
	ctx, cancel := context.WithTimeout(parent, time.Millisecond)
	defer cancel()
	go func(ctx context.Context) { <-ctx.Done() }(parent)
	<-ctx.Done()
}

// for { select {} } without an exit.
func TestLeakSelectLoopWithoutExit(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	work, more := make(chan int), make(chan int)
	go func() {
		for {
			select {
			case <-work:
			case <-more:
			}
		}
	}()
	work <- 1
}

func TestLeakEmptySelect(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	go func() { select {} }()
}

// An HTTP response body never closed keeps the transport's read and
// write loops alive, with the server still up.
func TestLeakHTTPBodyNotClosed(t *testing.T) {
	tr := &http.Transport{}
	var resp *http.Response
	t.Cleanup(func() {
		if resp != nil {
			resp.Body.Close()
		}
		tr.CloseIdleConnections()
	})
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var err error
	resp, err = (&http.Client{Transport: tr}).Get(sharedServer.URL)
	if err != nil {
		t.Fatal(err)
	}
	// Body not closed.
}

// A ticker never stopped, in a loop that never ends.
func TestLeakTickerNeverStopped(t *testing.T) {
	ticker := time.NewTicker(time.Millisecond)
	t.Cleanup(ticker.Stop) // the loop stays, parked
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	go func() {
		for range ticker.C {
		}
	}()
}

// One worker dies on a panic it recovers; the collector waits for its
// result forever.
func TestLeakWorkerDeadOnPanic(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	results := make(chan int)
	for i := range 3 {
		go func() {
			defer func() { recover() }()
			if i == 1 {
				panic("worker died")
			}
			results <- i
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			<-results
		}
	}()
	time.Sleep(time.Millisecond)
}

// sync.WaitGroup Add and Done do not match.
func TestLeakWaitGroupMismatch(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var wg sync.WaitGroup
	wg.Add(3)
	for range 2 {
		go wg.Done()
	}
	go wg.Wait()
}

// A mutex never unlocked.
func TestLeakMutexNeverUnlocked(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock()
		mu.Unlock()
	}()
}

// The goroutine holding the lock is itself leaked, blocked on a channel,
// and another waits for the lock.
func TestLeakHoldsMutex(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var mu sync.Mutex
	locked := make(chan struct{})
	go func() {
		mu.Lock()
		close(locked)
		select {}
	}()
	<-locked
	go func() { mu.Lock() }()
}

func TestLeakRWMutex(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var mu sync.RWMutex
	mu.RLock()
	go func() { mu.Lock() }()
}

// iter.Pull without calling stop.
func TestLeakIterPullNoStop(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	next, _ := iter.Pull(slices.Values([]int{1, 2, 3}))
	next()
}

func TestLeakCondNeverSignalled(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	cond := sync.NewCond(&sync.Mutex{})
	go func() {
		cond.L.Lock()
		cond.Wait()
		cond.L.Unlock()
	}()
}

func TestLeakNilChannel(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	var ch chan int
	go func() { ch <- 1 }()
}

// Spins on the CPU forever: never blocked, never provable.
func TestLeakSpinning(t *testing.T) {
	var stop atomic.Bool
	t.Cleanup(func() { stop.Store(true) })
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	go func() {
		for !stop.Load() {
		}
	}()
}

func TestLeakSleepingLoop(t *testing.T) {
	var stop atomic.Bool
	t.Cleanup(func() { stop.Store(true) })
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	go func() {
		for !stop.Load() {
			time.Sleep(5 * time.Millisecond)
		}
	}()
}

var global = make(chan int)

// Reachable from a global: the runtime cannot prove it.
func TestLeakGlobalChannel(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	go func() { <-global }()
}

// The creator has exited before the check.
func TestLeakAtDepth(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		go func() {
			ch := make(chan int)
			go func() { ch <- 1 }()
		}()
	}()
	<-done
}

func TestLeakLabelsReplaced(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	pprof.Do(context.Background(), pprof.Labels("library", "worker"), func(context.Context) {
		ch := make(chan int)
		go func() { ch <- 1 }()
	})
}

func TestLeakDeferredVerify(t *testing.T) {
	defer leakcheck.Verify(t, leakWait)
	t.Parallel()
	ch := make(chan int)
	go func() { <-ch }()
}

func TestLeakMany(t *testing.T) {
	ch := make(chan int)
	t.Cleanup(func() { close(ch) })
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	for range 500 {
		go func() { <-ch }()
	}
}

// Subtests: a leaking one fails itself and its parent; its clean
// siblings pass.
func TestLeakInSubtests(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Parallel()
	t.Run("Clean", func(t *testing.T) {
		leakcheck.Verify(t)
		t.Parallel()
		exitsAfter(10 * time.Millisecond)
	})
	t.Run("LeakParallel", func(t *testing.T) {
		leakcheck.Verify(t, leakWait)
		t.Parallel()
		ch := make(chan int)
		go func() { ch <- 1 }()
	})
	t.Run("LeakSerial", func(t *testing.T) {
		leakcheck.Verify(t, leakWait)
		go func() { select {} }()
	})
	// Passes itself: its goroutine is the parent's leak.
	t.Run("CleanCoveredByParent", func(t *testing.T) {
		t.Parallel()
		ch := make(chan int)
		go func() { <-ch }()
	})
}

// Nested three deep, leaking at the bottom.
func TestLeakNested(t *testing.T) {
	leakcheck.Verify(t, leakWait)
	t.Run("LeakLevel1", func(t *testing.T) {
		t.Run("LeakLevel2", func(t *testing.T) {
			leakcheck.Verify(t, leakWait)
			t.Parallel()
			ch := make(chan int)
			go func() { ch <- 1 }()
		})
	})
}
