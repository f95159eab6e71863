// Package memory has tests whose leaked goroutines hold known memory,
// for leakcheck's end-to-end tests of the memory a report says each leak
// holds. E2E_MEMORY names the test that leaks; the others pass.
package memory

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

const MiB = 1 << 20

func leaking(t *testing.T) bool {
	if os.Getenv("E2E_MEMORY") != t.Name() {
		t.Skip("leaks on purpose; run with E2E_MEMORY=" + t.Name())
	}
	leakcheck.Verify(t, leakcheck.MaxWait(100*time.Millisecond))
	return true
}

// block is never closed. The goroutines below wait on it, so that they
// leak the same way on every toolchain: a channel a global reaches is one
// the runtime never proves leaked, and while no goroutine is proven, a
// heap dump can measure them (see TestProvenLeak).
var block = make(chan struct{})

// hold keeps buf alive in its frame while it blocks forever.
func hold(buf []byte, block chan struct{}) {
	<-block
	buf[0]++
}

func TestHoldsBufferAlone(t *testing.T) {
	leaking(t)
	buf := make([]byte, 48*MiB) // the allocation the report names
	go hold(buf, block)
}

var shared []byte

func TestBufferAlsoHeldByGlobal(t *testing.T) {
	leaking(t)
	shared = make([]byte, 32*MiB)
	go hold(shared, block)
}

func TestManySmallHolders(t *testing.T) {
	leaking(t)
	for range 1000 {
		go hold(make([]byte, 64<<10), block)
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
	go walk(head, block)
}

// sink is never read.
var sink = make(chan []byte)

func send(ch chan []byte, buf []byte) { ch <- buf }

func TestValueBlockedInSend(t *testing.T) {
	leaking(t)
	go send(sink, make([]byte, 16*MiB))
}

// A goroutine blocked on a channel only it can reach: go1.27 proves it
// leaked, after which no heap dump can be taken.
func TestProvenLeak(t *testing.T) {
	leaking(t)
	go hold(make([]byte, 8*MiB), make(chan struct{}))
}

// Find reports the memory too.
func TestFindHolds(t *testing.T) {
	if os.Getenv("E2E_MEMORY") != t.Name() {
		t.Skip("leaks on purpose; run with E2E_MEMORY=" + t.Name())
	}
	go hold(make([]byte, 4*MiB), block)
	t.Log(leakcheck.Find(leakcheck.MaxWait(100 * time.Millisecond)))
}
