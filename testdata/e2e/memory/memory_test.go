// Package memory has tests whose leaked goroutines hold known memory,
// for leakcheck's end-to-end tests of the memory a report says each leak
// holds. E2E_MEMORY names the test that leaks, or is "all"; the others
// pass. With E2E_MEMORY_PROVEN=1 every leak blocks on a channel only it
// reaches, which the runtime proves leaked where it can (go1.27, go1.26
// with GOEXPERIMENT=goroutineleakprofile): leakcheck then measures in a
// rerun of the test.
package memory

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

const MiB = 1 << 20

func leaking(t *testing.T) bool {
	if e := os.Getenv("E2E_MEMORY"); e != t.Name() && e != "all" {
		t.Skip("leaks on purpose; run with E2E_MEMORY=" + t.Name())
	}
	leakcheck.Verify(t, leakcheck.MaxWait(100*time.Millisecond))
	return true
}

// block is never closed. Without E2E_MEMORY_PROVEN, the goroutines below
// wait on it, so that they leak the same way on every toolchain: a
// channel a global reaches is one the runtime never proves leaked.
var block = make(chan struct{})

// blocker returns the channel the test's goroutines wait on forever.
func blocker() chan struct{} {
	if os.Getenv("E2E_MEMORY_PROVEN") == "1" {
		return make(chan struct{})
	}
	return block
}

// hold keeps buf alive in its frame while it blocks forever.
func hold(buf []byte, block chan struct{}) {
	<-block
	buf[0]++
}

func TestHoldsBufferAlone(t *testing.T) {
	leaking(t)
	buf := make([]byte, 48*MiB) // the allocation the report names
	go hold(buf, blocker())
}

var shared []byte

func TestBufferAlsoHeldByGlobal(t *testing.T) {
	leaking(t)
	shared = make([]byte, 32*MiB)
	go hold(shared, blocker())
}

func TestManySmallHolders(t *testing.T) {
	leaking(t)
	ch := blocker()
	for range 1000 {
		go hold(make([]byte, 64<<10), ch)
	}
}

type node struct {
	next    *node
	payload [1000]byte
}

func walk(head *node, block chan struct{}) {
	<-block
	for n := head; n != nil; n = n.next {
		n.payload[0]++
	}
}

func TestLinkedListAlone(t *testing.T) {
	leaking(t)
	var head *node
	for range 10000 {
		head = &node{next: head}
	}
	go walk(head, blocker())
}

// sink is never read.
var sink = make(chan []byte)

func send(ch chan []byte, buf []byte) { ch <- buf }

func TestValueBlockedInSend(t *testing.T) {
	leaking(t)
	ch := sink
	if os.Getenv("E2E_MEMORY_PROVEN") == "1" {
		ch = make(chan []byte)
	}
	go send(ch, make([]byte, 16*MiB))
}

// A goroutine blocked on a channel only it can reach, whatever
// E2E_MEMORY_PROVEN says: go1.27 proves it leaked.
func TestProvenLeak(t *testing.T) {
	leaking(t)
	go hold(make([]byte, 8*MiB), make(chan struct{}))
}

// warm is set by TestWarmUp. TestLeaksAfterWarmUp leaks only when
// TestWarmUp ran before it in the same process: run alone, as a rerun
// runs it, it does not leak.
var warm bool

func TestWarmUp(t *testing.T) { warm = true }

func TestLeaksAfterWarmUp(t *testing.T) {
	leaking(t)
	if warm {
		go hold(make([]byte, 8*MiB), make(chan struct{}))
	}
}

// TestLeaksMoreAfterWarmUp leaks one goroutine holding 2 MiB, and, when
// TestWarmUp ran before it, a second of the same kind: its rerun
// reproduces one of the two.
func TestLeaksMoreAfterWarmUp(t *testing.T) {
	leaking(t)
	go hold(make([]byte, 2*MiB), make(chan struct{}))
	if warm {
		go hold(make([]byte, 2*MiB), make(chan struct{}))
	}
}

// Subtests with names the testing package rewrites or that are regular
// expressions, each holding its own amount of memory, some in parallel.
// Each logs a line, which must show once per run in the output, never
// from a rerun.
func TestNames(t *testing.T) {
	leaking(t)
	for i, name := range []string{"with space", "a+b(c)[d]|e$", "dup", "dup", "x/y", "ünï.*"} {
		mib := i + 1
		t.Run(name, func(t *testing.T) {
			if name != "dup" {
				t.Parallel()
			}
			leakcheck.Verify(t, leakcheck.MaxWait(100*time.Millisecond))
			t.Logf("leaking %d MiB", mib)
			if name == "dup" && mib == 3 {
				return // the first of the two leaks nothing: the rerun must pick dup#01
			}
			go hold(make([]byte, mib*MiB), blocker())
		})
	}
}

// Find reports the memory too.
func TestFindHolds(t *testing.T) {
	if os.Getenv("E2E_MEMORY") != t.Name() {
		t.Skip("leaks on purpose; run with E2E_MEMORY=" + t.Name())
	}
	go hold(make([]byte, 4*MiB), blocker())
	t.Log(leakcheck.Find(leakcheck.MaxWait(100 * time.Millisecond)))
}
