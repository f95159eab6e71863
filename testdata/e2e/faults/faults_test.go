// Package faults is run by leakcheck's end-to-end tests (faults_test.go),
// one test or a few at a time: tests that end abnormally, leaked
// goroutines that spin or hold locks, and leaks too big for any fixed
// buffer.
package faults

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

var wait = leakcheck.MaxWait(200 * time.Millisecond)

func sendForever(ch chan int) { ch <- 1 }

func TestPanics(t *testing.T) {
	leakcheck.Verify(t, wait)
	go sendForever(make(chan int))
	panic("the original panic message")
}

func TestPanicsClean(t *testing.T) {
	leakcheck.Verify(t, wait)
	panic("the original panic message")
}

// A panic in a cleanup registered after Verify runs before the check.
func TestPanicsInCleanup(t *testing.T) {
	leakcheck.Verify(t, wait)
	go sendForever(make(chan int))
	t.Cleanup(func() { panic("the original cleanup panic") })
}

func TestFailNow(t *testing.T) {
	leakcheck.Verify(t, wait)
	go sendForever(make(chan int))
	t.Fatal("the original failure")
}

func TestFailNowClean(t *testing.T) {
	leakcheck.Verify(t, wait)
	t.Fatal("the original failure")
}

func TestSkip(t *testing.T) {
	leakcheck.Verify(t, wait)
	go sendForever(make(chan int))
	t.Skip("the original skip reason")
}

func TestSkipClean(t *testing.T) {
	leakcheck.Verify(t, wait)
	t.Skip("the original skip reason")
}

func TestGoexit(t *testing.T) {
	leakcheck.Verify(t, wait)
	go sendForever(make(chan int))
	runtime.Goexit()
}

func TestGoexitClean(t *testing.T) {
	leakcheck.Verify(t, wait)
	runtime.Goexit()
}

// A parallel subtest that fails and leaks, beside one that passes.
func TestFailNowInParallelSubtest(t *testing.T) {
	leakcheck.Verify(t, wait)
	t.Run("fails", func(t *testing.T) {
		leakcheck.Verify(t, wait)
		t.Parallel()
		go sendForever(make(chan int))
		t.Fatal("the original subtest failure")
	})
	t.Run("passes", func(t *testing.T) {
		leakcheck.Verify(t, wait)
		t.Parallel()
	})
}

// MaxWait for the spinning and locking tests: long enough to measure,
// short enough to keep the run fast.
var lockWait = leakcheck.MaxWait(500 * time.Millisecond)

// Spins on the CPU for ever: with GOMAXPROCS=1 the check only runs when
// the scheduler preempts it.
func TestSpinning(t *testing.T) {
	leakcheck.Verify(t, lockWait)
	var stop atomic.Bool
	go func() {
		for !stop.Load() {
		}
	}()
}

// Holds a mutex for ever while it sleeps; another goroutine waits for it.
func TestHoldsMutex(t *testing.T) {
	leakcheck.Verify(t, lockWait)
	var mu sync.Mutex
	locked := make(chan struct{})
	go func() {
		mu.Lock()
		close(locked)
		for {
			time.Sleep(time.Millisecond)
		}
	}()
	<-locked
	go func() { mu.Lock() }()
}

// Holds a mutex while it spins; others queue for it.
func TestHoldsMutexSpinning(t *testing.T) {
	leakcheck.Verify(t, lockWait)
	var mu sync.Mutex
	locked := make(chan struct{})
	go func() {
		mu.Lock()
		close(locked)
		for {
			runtime.Gosched()
		}
	}()
	<-locked
	for range 3 {
		go func() { mu.Lock() }()
	}
}

// HundredThousand leaks 100,000 goroutines from one line.
func TestHundredThousand(t *testing.T) {
	leakcheck.Verify(t, wait)
	ch := make(chan int)
	var started sync.WaitGroup
	started.Add(100_000)
	for range 100_000 {
		go func() {
			started.Done()
			<-ch
		}()
	}
	started.Wait()
}

// deep recurses n times before blocking, so the goroutine's part of the
// dump is about 100 frames long (the runtime elides the middle of deeper
// stacks).
func deep(n int, ch chan int, bottom *sync.WaitGroup) int {
	if n == 0 {
		bottom.Done()
		return <-ch
	}
	return deep(n-1, ch, bottom) + 1
}

// bigDumpGoroutines with 100-frame stacks make a dump of about 90 MB.
const bigDumpGoroutines = 6000

func TestBigDump(t *testing.T) {
	leakcheck.Verify(t, wait)
	ch := make(chan int)
	var bottom sync.WaitGroup
	bottom.Add(bigDumpGoroutines)
	for range bigDumpGoroutines {
		go deep(120, ch, &bottom)
	}
	bottom.Wait()
	buf := make([]byte, 512<<20)
	t.Logf("dump size: %d bytes", runtime.Stack(buf, true))
}

// Verify through a t saved beyond its subtest: the testing package panics
// at the use of a finished t, after leakcheck's message; the parent's own
// check still catches the parent's leak.
func TestVerifyFinishedSubtest(t *testing.T) {
	leakcheck.Verify(t, wait)
	var saved *testing.T
	t.Run("sub", func(t *testing.T) { saved = t })
	func() {
		defer func() { t.Logf("recovered: %v", recover()) }()
		leakcheck.Verify(saved)
	}()
	go sendForever(make(chan int))
}
