// Package tinyproof holds a leak whose only wake-up, a sync.Mutex, is
// tiny-allocated: 8 bytes without pointers share a 16-byte block, and a
// garbage collection keeps each processor's current block alive, so the
// runtime's first proof does not see the leak (GoKer's istio_16224).
package tinyproof

import (
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/testdata/e2e/internal/tiny"
)

// counter is 8 bytes without pointers: the tiny allocator's.
type counter struct{ mu sync.Mutex }

// lockTwice allocates a counter and locks it twice: it blocks forever,
// and nothing but its own stack reaches the counter.
func lockTwice(locked chan<- struct{}) {
	c := tiny.New[counter]()
	c.mu.Lock()
	close(locked)
	c.mu.Lock()
}

// blockedOnLock reports whether some goroutine waits in sync.Mutex.Lock.
func blockedOnLock(buf []byte) bool {
	n := runtime.Stack(buf, true)
	return strings.Contains(string(buf[:n]), "[sync.Mutex.Lock")
}

// One check, with no time to wait, proves the leak: in each of ten
// rounds, where the runtime's first proof misses about one in two.
func TestTinyMutexProvenByOneCheck(t *testing.T) {
	if pprof.Lookup("goroutineleak") == nil {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	buf := make([]byte, 1<<20)
	for round := 1; round <= 10; round++ {
		locked := make(chan struct{})
		go lockTwice(locked)
		<-locked
		for !blockedOnLock(buf) {
			runtime.Gosched()
		}
		err := leakcheck.Find(leakcheck.MaxWait(0))
		le, ok := err.(*leakcheck.LeakError)
		if !ok {
			t.Fatalf("round %d: Find: %v, want a *LeakError", round, err)
		}
		blocked := 0
		for _, g := range le.Goroutines {
			if g.State != "sync.Mutex.Lock" {
				continue
			}
			blocked++
			if !g.Proven {
				t.Fatalf("round %d: goroutine %d, blocked on a tiny-allocated mutex, is not proven leaked:\n%v", round, g.ID, err)
			}
		}
		if blocked < round {
			t.Fatalf("round %d: %d goroutines blocked on a mutex, want at least %d:\n%v", round, blocked, round, err)
		}
	}
}
