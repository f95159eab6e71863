package main

import (
	"os"
	"runtime"
	"sync"
	"time"
)

// Global, so that the runtime's leak detector never proves them leaked:
// the parked goroutines stand for a busy service's, not for leaks.
var (
	recvCh    = make(chan int) // nobody sends on it
	sendCh    = make(chan int) // nobody receives from it
	parkMu    sync.Mutex
	parkReady sync.WaitGroup
)

// park starts n goroutines in a mix of kinds (or, with -shape uniform, of
// one kind), a few frames deep, and returns once they are all blocked.
func park(n int) {
	parkMu.Lock() // held for ever: the mutex waiters wait for ever
	parkReady.Add(n)
	for i := range n {
		if *shape == "uniform" {
			go handler(i, recvDepth)
			continue
		}
		switch i % 10 {
		case 0, 1, 2, 3:
			go handler(i, recvDepth)
		case 4, 5:
			go handler(i, sendDepth)
		case 6, 7:
			go handler(i, selectDepth)
		case 8:
			go handler(i, lockDepth)
		default:
			go handler(i, sleepDepth)
		}
	}
	parkReady.Wait()
	time.Sleep(100 * time.Millisecond) // let the last ones block
}

// The kinds, each reached through a different chain of calls.
const (
	recvDepth = iota
	sendDepth
	selectDepth
	lockDepth
	sleepDepth
)

//go:noinline
func handler(id, kind int) { middleware(id, kind, id*7) }

//go:noinline
func middleware(id, kind, key int) {
	switch kind {
	case recvDepth:
		receive(id, key)
	case sendDepth:
		send(id)
	case selectDepth:
		wait(id, key)
	case lockDepth:
		lock(id)
	default:
		nap(id)
	}
}

//go:noinline
func receive(id, key int) {
	parkReady.Done()
	<-recvCh
}

//go:noinline
func send(id int) {
	parkReady.Done()
	sendCh <- id
}

//go:noinline
func wait(id, key int) {
	parkReady.Done()
	select {
	case <-recvCh:
	case sendCh <- key:
	}
}

//go:noinline
func lock(id int) {
	parkReady.Done()
	parkMu.Lock()
}

//go:noinline
func nap(id int) {
	parkReady.Done()
	time.Sleep(24 * time.Hour)
}

// generate parks n goroutines and writes the dump of all goroutines to
// path.
func generate(n int, path string) {
	park(n)
	buf := make([]byte, n*400+1<<20)
	for {
		m := runtime.Stack(buf, true)
		if m < len(buf) {
			buf = buf[:m]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	check(os.WriteFile(path, buf, 0o666))
}

func runtimeVersion() string { return runtime.Version() }
