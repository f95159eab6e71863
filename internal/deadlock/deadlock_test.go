package deadlock

import (
	"fmt"
	"net"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The watcher asks the runtime for a proof about tests blocked on
// channels and locks that will be woken, and finds no deadlock: a slow
// sender, a timer, a mutex held by a sleeping goroutine, hand-offs through
// goroutines, a WaitGroup of sleepers. A loopback accept is not even a
// candidate (I/O wait).
func TestWatcherFindsNoDeadlockWhileTestsProgress(t *testing.T) {
	if runtimeread.LeakProfile == nil {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	const pause = 1500 * time.Millisecond
	patterns := []struct {
		name      string
		candidate bool // blocked on something the runtime can judge
		block     func()
	}{
		{"slow sender", true, func() {
			ch := make(chan int)
			go func() { time.Sleep(pause); ch <- 1 }()
			<-ch
		}},
		{"timer", true, func() { <-time.After(pause) }},
		{"mutex held by sleeper", true, func() {
			// Locked here and unlocked by the sleeper, so that the test
			// blocks in one place only: a handshake before the Lock would
			// be a second, brief block the watcher's first look could see.
			mu := new(sync.Mutex)
			mu.Lock()
			go func() { time.Sleep(pause); mu.Unlock() }()
			mu.Lock()
			mu.Unlock()
		}},
		{"hand-offs", true, func() {
			first := make(chan int, 1) // the test blocks only in <-in, below
			in := first
			for range 3 {
				out := make(chan int)
				go func(in <-chan int, out chan<- int) { v := <-in; time.Sleep(pause / 3); out <- v + 1 }(in, out)
				in = out
			}
			first <- 0
			<-in
		}},
		{"waitgroup of sleepers", true, func() {
			var wg sync.WaitGroup
			for range 3 {
				wg.Add(1)
				go func() { defer wg.Done(); time.Sleep(pause) }()
			}
			wg.Wait()
		}},
		{"loopback accept", false, func() {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			go func() {
				time.Sleep(pause)
				if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
					c.Close()
				}
			}()
			if c, err := ln.Accept(); err == nil {
				c.Close()
			}
		}},
	}
	for _, p := range patterns {
		t.Run(p.name, func(t *testing.T) {
			type outcome struct {
				found  *Deadlock
				proved bool
			}
			done := make(chan outcome, 1)
			go func() {
				// Let the test block: until a test goroutine is blocked in
				// its own code (the parent waits inside t.Run, which does
				// not count), or, for a test that never is, a while.
				for deadline := time.Now().Add(pause / 3); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					snap, err := testReader.TakeSnapshot()
					require.NoError(t, err)
					if slices.ContainsFunc(snap.Goroutines, func(g stack.Goroutine) bool { return isBlockedTest(&g) }) {
						break
					}
				}
				w := newTestWatcher()
				now := time.Now()
				snap, err := testReader.SnapshotAfter(now)
				require.NoError(t, err)
				if d := w.look(snap, now); d != nil {
					done <- outcome{found: d}
					return
				}
				// As if a look came blockedFor later: a proof is due.
				snap, err = testReader.SnapshotAfter(time.Now())
				require.NoError(t, err)
				d := w.look(snap, now.Add(blockedFor))
				done <- outcome{found: d, proved: !w.lastProof.IsZero()}
			}()
			p.block()
			o := <-done
			assert.Nil(t, o.found, "the watcher found a deadlock where the test goes on")
			assert.Equal(t, p.candidate, o.proved, "whether the watcher asked for a proof")
		})
	}
}

func TestIsBlockedTest(t *testing.T) {
	tRunner := stack.Frame{Function: "testing.tRunner"}
	mk := func(state string, fns ...string) *stack.Goroutine {
		g := &stack.Goroutine{State: state}
		for _, fn := range fns {
			g.Frames = append(g.Frames, stack.Frame{Function: fn})
		}
		g.Frames = append(g.Frames, tRunner)
		return g
	}
	cases := []struct {
		name string
		g    *stack.Goroutine
		want bool
	}{
		{"mutex in test code", mk("sync.Mutex.Lock", "internal/sync.runtime_SemacquireMutex", "sync.(*Mutex).Lock", "pkg.TestX"), true},
		{"channel in test code", mk("chan receive", "runtime.gopark", "runtime.chanrecv1", "pkg.TestX"), true},
		{"parent waiting for subtests", mk("chan receive", "runtime.gopark", "runtime.chanrecv1", "testing.(*T).Run", "pkg.TestX"), false},
		{"parallel test waiting its turn", mk("chan receive", "runtime.gopark", "testing.(*T).Parallel", "pkg.TestX"), false},
		{"sleeping", mk("sleep", "time.Sleep", "pkg.TestX"), false},
		{"I/O", mk("IO wait", "internal/poll.runtime_pollWait", "pkg.TestX"), false},
		{"not a test", &stack.Goroutine{State: "chan receive", Frames: []stack.Frame{{Function: "pkg.worker"}}}, false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, isBlockedTest(c.g), c.name)
	}
}

// BenchmarkWatcherLook measures one look of the deadlock watcher (a dump
// and a pass over it) with n goroutines alive, and reports the share of
// time the watcher takes at its pace: a look every lookEvery, or every
// lookShare looks' worth of time, whichever is longer.
func BenchmarkWatcherLook(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			stop := make(chan struct{})
			defer close(stop)
			for range n {
				go func() { <-stop }()
			}
			w := newTestWatcher()
			start := time.Now()
			b.ResetTimer()
			for range b.N {
				now := time.Now()
				snap, err := testReader.SnapshotAfter(now)
				if err != nil {
					b.Fatal(err)
				}
				w.look(snap, now)
			}
			look := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(100*float64(look)/float64(max(lookEvery, lookShare*look)), "%time")
		})
	}
}

// The checks recognise the watcher's goroutine by its function's name.
func TestWatcherFunctionName(t *testing.T) {
	assert.Equal(t, owner.WatcherFunction, runtime.FuncForPC(reflect.ValueOf((*Watcher).lookForDeadlocks).Pointer()).Name())
}

// Between looks the watcher has no goroutine, so that other leak checkers
// in the same binary, such as goleak during a migration, never see one.
func TestWatcherHasNoGoroutineBetweenLooks(t *testing.T) {
	if runtimeread.LeakProfile == nil {
		t.Skip("no watcher without the goroutine leak profile")
	}
	new(Watcher).Start(testReader, noChecks{})
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		found := false
		for _, g := range stack.Parse(string(buf[:runtime.Stack(buf, true)])) {
			found = found || g.EntryFunction() == owner.WatcherFunction
		}
		if !found {
			return
		}
		require.True(t, time.Now().Before(deadline), "the watcher's goroutine stays")
	}
}

// A LEAKCHECK_DEADLOCK value that is neither on nor off is an error, and
// leaves the watcher on (TestBadDeadlockEnv, in the package leakcheck,
// checks that the check says so and still runs).
func TestDeadlockWatchSetting(t *testing.T) {
	for _, v := range []string{"", "on", "ON", "1", "true", " off ", "0", "false"} {
		t.Setenv(DeadlockEnv, v)
		on, err := Setting()
		assert.NoError(t, err, "%q", v)
		assert.Equal(t, !strings.Contains("off 0 false", strings.TrimSpace(v)) || strings.TrimSpace(v) == "", on, "%q", v)
	}
	t.Setenv(DeadlockEnv, "maybe")
	on, err := Setting()
	assert.True(t, on, "an unknown value never turns checking off")
	assert.EqualError(t, err, `leakcheck: LEAKCHECK_DEADLOCK="maybe": use "off" to turn the deadlock watcher off, or "on"`)
}

// testReader reads the runtime for these tests.
var testReader = runtimeread.NewReader()

// newTestWatcher returns a watcher ready to look, without its timer and
// without a cost measured yet.
func newTestWatcher() *Watcher {
	w := &Watcher{reader: testReader, checks: noChecks{}, blocked: make(map[uint64]blockedTest)}
	w.heap[0].Name = "/gc/heap/live:bytes"
	return w
}

// noChecks is a process without Verify scopes, which measures nothing.
type noChecks struct{}

func (noChecks) InRerun() bool                          { return false }
func (noChecks) TestScope(uint64, uint64) (Scope, bool) { return Scope{}, false }
func (noChecks) ScopeName(uint64) string                { return "" }
func (noChecks) Measure(*Deadlock) (string, string)     { return "", "" }
