// Package basic is run by leakcheck's end-to-end tests: tests named
// TestLeak* must fail with a leak report, all others must pass.
package basic

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// Goroutines started by init and by TestMain are never a test's leak.
var stopInit = make(chan struct{})

func init() {
	go func() { <-stopInit }()
}

func TestMain(m *testing.M) {
	go func() { select {} }()
	os.Exit(m.Run())
}

func sendForever(ch chan int) { ch <- 1 }

func TestLeakSend(t *testing.T) {
	leakcheck.Verify(t)
	go sendForever(make(chan int))
}

// The leaked goroutine's creator has exited: only the inherited label
// links it to the test.
func TestLeakDeep(t *testing.T) {
	leakcheck.Verify(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		go receiveForever(make(chan int))
	}()
	<-done
}

func receiveForever(ch chan int) { <-ch }

func TestLeakDeferred(t *testing.T) {
	defer leakcheck.Verify(t)
	go sendForever(make(chan int))
}

// A goroutine that is never provably stuck is reported after MaxWait.
func TestLeakSleeping(t *testing.T) {
	leakcheck.Verify(t, leakcheck.MaxWait(200*time.Millisecond))
	go func() {
		for {
			time.Sleep(10 * time.Millisecond)
		}
	}()
}

var global = make(chan int)

// The channel is reachable from a global, so the runtime cannot prove the
// leak; it is still reported once MaxWait has passed.
func TestLeakGlobalChannel(t *testing.T) {
	leakcheck.Verify(t, leakcheck.MaxWait(200*time.Millisecond))
	go func() { <-global }()
}

func TestServerClosedInCleanup(t *testing.T) {
	leakcheck.Verify(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
}

// Exits a second after the test: a slow shutdown, not a leak.
func TestSlowExit(t *testing.T) {
	leakcheck.Verify(t)
	go func() { time.Sleep(time.Second) }()
}

func TestWaitsForContext(t *testing.T) {
	leakcheck.Verify(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // as t.Context (go1.24): cancelled before the check runs
	go func() { <-ctx.Done() }()
}

func TestWorkersJoined(t *testing.T) {
	leakcheck.Verify(t)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); time.Sleep(time.Millisecond) }()
	}
	wg.Wait()
}

func TestVerifyTwice(t *testing.T) {
	leakcheck.Verify(t)
	leakcheck.Verify(t)
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

func blockForever() { select {} }

func TestIgnoredTopFunction(t *testing.T) {
	leakcheck.Verify(t, leakcheck.IgnoreTopFunction("github.com/leakcheck/leakcheck/testdata/e2e/basic.blockForever"))
	go blockForever()
}

func TestSubtests(t *testing.T) {
	leakcheck.Verify(t)
	t.Run("clean", func(t *testing.T) {
		leakcheck.Verify(t)
	})
	t.Run("LeakInSubtest", func(t *testing.T) {
		leakcheck.Verify(t)
		go sendForever(make(chan int))
	})
}
