package main

import (
	"flag"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var out = flag.String("out", "../dumps", "directory for the dump file")

// TestSynctestDump writes the dump of a synctest bubble whose goroutines
// are durably blocked: their headers carry "(durable)" and
// "synctest bubble N". It is a test only because synctest.Test needs a
// *testing.T; run it through the generator or with
//
//	go test -run TestSynctestDump -args -out ../dumps
func TestSynctestDump(t *testing.T) {
	var dump string
	synctest.Test(t, func(t *testing.T) {
		recv, send, sel := make(chan int), make(chan int), make(chan int)
		var wg sync.WaitGroup
		wg.Add(1)
		go bubbleChanReceive(recv)
		go bubbleChanSend(send)
		go bubbleSelect(sel, sel)
		go bubbleSleep()
		go bubbleWaitGroupWait(&wg)
		// Wait returns once every other bubble goroutine is durably
		// blocked.
		synctest.Wait()
		dump = stackAll()
		// Release them all, or synctest.Test fails the test.
		wg.Done()
		recv <- 1
		<-send
		sel <- 1
		time.Sleep(time.Hour)
		synctest.Wait()
	})
	if err := writeDump(*out, "synctest", dump); err != nil {
		t.Fatal(err)
	}
}

//go:noinline
func bubbleChanReceive(ch chan int) { <-ch }

//go:noinline
func bubbleChanSend(ch chan int) { ch <- 1 }

//go:noinline
func bubbleSelect(a, b chan int) {
	select {
	case <-a:
	case b <- 1:
	}
}

//go:noinline
func bubbleSleep() { time.Sleep(time.Minute) }

//go:noinline
func bubbleWaitGroupWait(wg *sync.WaitGroup) { wg.Wait() }
