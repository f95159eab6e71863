package ownstacks

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// TestNoLeakcheckLabelInOwnStacks takes traces from goroutines the test
// started (so they carry the test's scope) while forty subtests'
// checks dump the goroutines, each waiting for goroutines that end a
// moment later, and the deadlock watcher dumps in the background. Not
// one trace may show leakcheck's label.
func TestNoLeakcheckLabelInOwnStacks(t *testing.T) {
	leakcheck.Verify(t)
	stop := make(chan struct{})
	var traces atomic.Int64
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(all bool) {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for {
				select {
				case <-stop:
					return
				default:
				}
				trace := Own()
				if all {
					trace = All(buf)
				}
				traces.Add(1)
				if lines := LabelLines(trace, "leakcheck"); len(lines) > 0 {
					mu.Lock()
					seen = append(seen, lines...)
					mu.Unlock()
				}
			}
		}(i%2 == 1)
	}
	for i := 0; i < 40; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			leakcheck.Verify(t)
			done := make(chan struct{})
			go func() { <-done }()
			go func() {
				time.Sleep(time.Millisecond)
				close(done)
			}()
		})
	}
	close(stop)
	wg.Wait()
	if traces.Load() == 0 {
		t.Fatal("no trace was taken")
	}
	if len(seen) > 0 {
		t.Fatalf("%d of %d traces showed leakcheck's label, as in:\n%s", len(seen), traces.Load(), strings.Join(seen[:min(len(seen), 5)], "\n"))
	}
	t.Logf("%d traces, none with leakcheck's label", traces.Load())
}

// TestUserLabelsStillShow runs where the user asked the runtime to print
// labels (GODEBUG=tracebacklabels=1, which the end-to-end test sets): a
// trace of a goroutine the program labelled shows the program's label.
func TestUserLabelsStillShow(t *testing.T) {
	if !strings.Contains(os.Getenv("GODEBUG"), "tracebacklabels=1") {
		t.Skip("run with GODEBUG=tracebacklabels=1")
	}
	leakcheck.Verify(t)
	var trace []byte
	pprof.Do(context.Background(), pprof.Labels("worker", "purge"), func(context.Context) {
		trace = Own()
	})
	if len(LabelLines(trace, "worker")) == 0 {
		t.Errorf("the program's own label is missing from its trace:\n%s", trace)
	}
}

// TestLeakStillCaught leaks a goroutine from a goroutine the test
// started: the check still attributes it to the test, with the labels
// read from the goroutine profile. The end-to-end test expects it to
// fail.
func TestLeakStillCaught(t *testing.T) {
	if os.Getenv("OWNSTACKS_LEAK") == "" {
		t.Skip("set OWNSTACKS_LEAK=1")
	}
	leakcheck.Verify(t, leakcheck.MaxWait(50*time.Millisecond))
	started := make(chan struct{})
	go func() {
		go func() { select {} }()
		close(started)
	}()
	<-started
}
