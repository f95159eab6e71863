// Package hangtest hangs, on purpose, to produce the output of a "go test"
// run that hit -timeout, a fixture for the leakcheck command:
//
//	go test -timeout=2s ./cmd/leakcheck/testdata/hangtest > go1.26-timeout.txt 2>&1
//	GOTOOLCHAIN=go1.27.4 go test -timeout=2s ./cmd/leakcheck/testdata/hangtest > go1.27-timeout.txt 2>&1
//	HANGTEST=1 GOTOOLCHAIN=go1.27.4 go test -v -timeout=2s ./cmd/leakcheck/testdata/hangtest > go1.27-timeout-v.txt 2>&1
//	HANGTEST_PANIC=1 GOTOOLCHAIN=go1.27.4 go test -v ./cmd/leakcheck/testdata/hangtest > go1.27-panic.txt 2>&1
//	HANGTEST_PANIC=1 GOTRACEBACK=all go test ./cmd/leakcheck/testdata/hangtest > go1.26-panic-all.txt 2>&1
//
// The tests are skipped unless HANGTEST=1 or HANGTEST_PANIC=1 is set.
package hangtest

import (
	"os"
	"strconv"
	"sync"
	"testing"
)

func TestQuick(t *testing.T) {}

// TestDeadlock, in parallel with TestLocked, waits for a worker that waits on a channel nobody sends to.
func TestDeadlock(t *testing.T) {
	if os.Getenv("HANGTEST") == "" {
		t.Skip("set HANGTEST=1 to hang")
	}
	t.Parallel()
	never := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-never
	}()
	wg.Wait()
}

// TestLocked has two parallel subtests: one takes a lock twice.
func TestLocked(t *testing.T) {
	if os.Getenv("HANGTEST") == "" {
		t.Skip("set HANGTEST=1 to hang")
	}
	t.Parallel()
	var mu sync.Mutex
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		mu.Lock()
		mu.Lock()
	})
	t.Run("fine", func(t *testing.T) {
		t.Parallel()
	})
}

func TestPanic(t *testing.T) {
	if os.Getenv("HANGTEST_PANIC") == "" {
		t.Skip("set HANGTEST_PANIC=1 to panic")
	}
	block := make(chan int)
	for range 3 {
		go func() { <-block }()
	}
	panic("boom")
}

// TestCrowd parks HANGTEST_CROWD goroutines sending on a channel nobody
// reads, then takes a lock twice: the output of a timeout is as large as
// the crowd makes it (about 200 bytes a goroutine).
//
//	HANGTEST_CROWD=100000 go test -run TestCrowd -timeout=10s ./cmd/leakcheck/testdata/hangtest
func TestCrowd(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("HANGTEST_CROWD"))
	if err != nil {
		t.Skip("set HANGTEST_CROWD=N to hang with N blocked senders")
	}
	results := make(chan int)
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		go send(results, i, &started)
	}
	started.Wait() // so that the dump has them all, even on a slow machine
	var mu sync.Mutex
	mu.Lock()
	mu.Lock()
}

func send(results chan<- int, i int, started *sync.WaitGroup) {
	started.Done()
	results <- i
}
