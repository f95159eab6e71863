// Package stress is run by scripts/stress.sh and by the root package's
// TestStress, many times over, shuffled, in parallel and under load:
// every test named TestClean* (and every subtest named Clean*) must pass
// every time, and every test named TestLeak* (and every subtest named
// Leak*) must fail every time with a leak report. The expected outcome of
// a test is given by the last element of its name that starts with
// Clean, Leak, TestClean or TestLeak.
package stress

import (
	"context"
	"errors"
	"io"
	"iter"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/leakcheck/leakcheck"
)

func serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		t.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// The server, its connections and the client's keep-alive connections
// all stop in srv.Close, run by t.Cleanup before the check.
func TestCleanHTTPServerClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	srv := serve(t)
	for range 3 {
		get(t, srv.Client(), srv.URL)
	}
}

func TestCleanHTTPServerParallel(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	srv := serve(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); get(t, srv.Client(), srv.URL) }()
	}
	wg.Wait()
}

// A client of its own, with idle connections closed in a cleanup that
// runs after the server's (cleanups run last-in first-out).
func TestCleanHTTPOwnTransport(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	srv := serve(t)
	get(t, &http.Client{Transport: tr}, srv.URL)
}

func TestCleanContextCancelledAndWaited(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); <-ctx.Done() }()
	}
	cancel()
	wg.Wait()
}

// The goroutines stop when the test's context is cancelled, just before
// the cleanups run; nothing waits for them.
func TestCleanTestContext(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ctx := t.Context()
	for range 8 {
		go func() {
			<-ctx.Done()
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		}()
	}
}

func TestCleanContextTimeout(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	t.Cleanup(cancel)
	go func() { <-ctx.Done() }()
}

func TestCleanContextAfterFunc(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	context.AfterFunc(ctx, func() { close(done) })
	cancel()
	<-done
}

func TestCleanErrgroup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	g, ctx := errgroup.WithContext(context.Background())
	for i := range 8 {
		g.Go(func() error {
			if i == 3 {
				return errors.New("worker 3 failed")
			}
			<-ctx.Done() // the failure cancels the others
			return nil
		})
	}
	if err := g.Wait(); err == nil {
		t.Error("want an error")
	}
}

func TestCleanErrgroupLimit(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var g errgroup.Group
	g.SetLimit(3)
	var n atomic.Int64
	for range 30 {
		g.Go(func() error {
			n.Add(1)
			time.Sleep(time.Millisecond)
			return nil
		})
	}
	g.Wait()
	if n.Load() != 30 {
		t.Errorf("ran %d", n.Load())
	}
}

func TestCleanWorkerPoolDrained(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	jobs, results := make(chan int), make(chan int, 100)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- 2 * j
			}
		}()
	}
	for i := range 100 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// The pool is shut down by a cleanup that does not wait: the workers
// finish their jobs and exit while the check is already looking.
func TestCleanWorkerPoolClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	jobs := make(chan time.Duration, 16)
	for range 4 {
		go func() {
			for d := range jobs {
				time.Sleep(d)
			}
		}()
	}
	for range 16 {
		jobs <- time.Duration(rand.IntN(10)) * time.Millisecond
	}
	t.Cleanup(func() { close(jobs) })
}

func TestCleanTickerStopped(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ticker := time.NewTicker(time.Millisecond)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ticker.C:
			case <-stop:
				return
			}
		}
	}()
	time.Sleep(5 * time.Millisecond)
	t.Cleanup(func() {
		ticker.Stop()
		close(stop)
		<-done
	})
}

// Stopped in a cleanup that does not wait for the loop to notice.
func TestCleanTickerStoppedAsync(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ticker := time.NewTicker(time.Millisecond)
	stop := make(chan struct{})
	go func() {
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(stop) })
}

func TestCleanTimerStopped(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	timer := time.NewTimer(time.Hour)
	stop := make(chan struct{})
	go func() {
		select {
		case <-timer.C:
		case <-stop:
		}
	}()
	t.Cleanup(func() { timer.Stop(); close(stop) })
}

func exitsAfter(d time.Duration) {
	go func() { time.Sleep(d) }()
}

func TestCleanExits100msLate(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	exitsAfter(100 * time.Millisecond)
}

func TestCleanExits500msLate(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	exitsAfter(500 * time.Millisecond)
}

func TestCleanExits1sLate(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	exitsAfter(time.Second)
}

// Serial, so that nothing else runs while it waits.
func TestCleanExits1sLateSerial(t *testing.T) {
	leakcheck.Verify(t)
	exitsAfter(time.Second)
}

// Still busy a second after the last cleanup started it on its way out.
func TestCleanExitsLateAfterCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	stop := make(chan struct{})
	go func() {
		<-stop
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}()
	t.Cleanup(func() { close(stop) })
}

// A CPU-bound goroutine that finishes late: never blocked, never provable.
func TestCleanSpinsThenExits(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	go func() {
		deadline := time.Now().Add(200 * time.Millisecond)
		for time.Now().Before(deadline) {
		}
	}()
}

func TestCleanNestedSubtests(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	for _, a := range []string{"a", "b"} {
		t.Run(a, func(t *testing.T) {
			leakcheck.Verify(t)
			exitsAfter(10 * time.Millisecond)
			for _, b := range []string{"x", "y"} {
				t.Run(b, func(t *testing.T) {
					leakcheck.Verify(t)
					t.Parallel()
					exitsAfter(time.Duration(rand.IntN(30)) * time.Millisecond)
				})
			}
		})
	}
}

func TestCleanParallelSubtests(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	for i := range 6 {
		t.Run("w", func(t *testing.T) {
			leakcheck.Verify(t)
			t.Parallel()
			stop := make(chan struct{})
			go func() { <-stop }()
			time.Sleep(time.Duration(i) * time.Millisecond)
			close(stop)
		})
	}
}

// Subtests without their own check: the parent's check covers them.
func TestCleanSubtestsCoveredByParent(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	for range 3 {
		t.Run("sub", func(t *testing.T) {
			t.Parallel()
			exitsAfter(20 * time.Millisecond)
		})
	}
}

func TestCleanDeferredVerify(t *testing.T) {
	defer leakcheck.Verify(t)
	t.Parallel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); time.Sleep(time.Millisecond) }()
	wg.Wait()
}

// Creators exit before their children, which exit later still.
func TestCleanChainOfCreators(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var start func(depth int)
	start = func(depth int) {
		if depth == 0 {
			time.Sleep(20 * time.Millisecond)
			return
		}
		go start(depth - 1)
	}
	go start(10)
}

func TestCleanPipeline(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	src := make(chan int)
	go func() {
		defer close(src)
		for i := range 100 {
			src <- i
		}
	}()
	stage := func(in <-chan int) <-chan int {
		out := make(chan int)
		go func() {
			defer close(out)
			for v := range in {
				out <- v + 1
			}
		}()
		return out
	}
	for range stage(stage(stage(src))) {
	}
}

func TestCleanSelectLoopClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	done, work := make(chan struct{}), make(chan int)
	go func() {
		for {
			select {
			case <-work:
			case <-done:
				return
			}
		}
	}()
	work <- 1
	t.Cleanup(func() { close(done) })
}

func TestCleanMutexContention(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var mu sync.Mutex
	var rw sync.RWMutex
	n := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
			rw.RLock()
			rw.RUnlock()
		}()
	}
	wg.Wait()
}

func TestCleanCondBroadcastInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := false
	for range 5 {
		go func() {
			mu.Lock()
			for !ready {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	t.Cleanup(func() {
		mu.Lock()
		ready = true
		mu.Unlock()
		cond.Broadcast()
	})
}

// The goroutine is started by the runtime's timer, not by the test.
func TestCleanTimeAfterFunc(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	done := make(chan struct{})
	time.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
}

func TestCleanIterPullStopped(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	next, stop := iter.Pull(slices.Values([]int{1, 2, 3}))
	defer stop()
	next()
}

func TestCleanIOPipeClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	r, w := io.Pipe()
	go io.Copy(io.Discard, r)
	w.Write([]byte("x"))
	t.Cleanup(func() { w.Close() })
}

// An accept loop in "IO wait" stops when the listener closes.
func TestCleanTCPListenerClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("x"))
	c.Close()
}

// A library replacing the labels does not make a clean test fail.
func TestCleanLabelsReplaced(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	var wg sync.WaitGroup
	pprof.Do(context.Background(), pprof.Labels("library", "worker"), func(context.Context) {
		for range 3 {
			wg.Add(1)
			go func() { defer wg.Done(); time.Sleep(time.Millisecond) }()
		}
	})
	wg.Wait()
}

func TestCleanManyGoroutines(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	for range 1000 {
		go func() { time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond) }()
	}
}

// The finalizer goroutine, started on first use, belongs to the runtime.
func TestCleanFinalizer(t *testing.T) {
	leakcheck.Verify(t)
	done := make(chan struct{})
	p := new([64]byte)
	runtime.SetFinalizer(p, func(*[64]byte) { close(done) })
	p = nil
	for {
		runtime.GC()
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// The signal loop, started by the first Notify, belongs to the runtime.
func TestCleanSignalNotify(t *testing.T) {
	leakcheck.Verify(t)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	signal.Stop(ch)
}

func TestCleanSemaphore(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for range 50 {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			runtime.Gosched()
		}()
	}
	wg.Wait()
}

// Verify runs last, after the cleanups; a panic recovered inside a worker
// does not confuse it.
func TestCleanRecoveredPanic(t *testing.T) {
	leakcheck.Verify(t)
	t.Parallel()
	errs := make(chan any, 1)
	go func() {
		defer func() { errs <- recover() }()
		panic("recovered")
	}()
	<-errs
}
