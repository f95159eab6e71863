//go:build go1.25

// testing/synctest needs the timer channels of go1.23 and later, which a
// module whose go line is older (leakcheck's) turns off by default.
//go:debug asynctimerchan=0

// Package synctest is run by leakcheck's end-to-end tests of how
// leakcheck and testing/synctest work together: synctest owns the
// goroutines of its bubbles, leakcheck everything else. Tests named
// TestLeak* must fail; TestBubbleLeak runs only when E2E_BUBBLE_LEAK is
// set, and then synctest itself panics.
package synctest

import (
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leakcheck/leakcheck"
)

func receive(ch chan int) { <-ch }

func send(ch chan int) { ch <- 1 }

// Verify inside the bubble: its goroutines finish in fake time.
func TestInsideClean(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leakcheck.Verify(t)
		ch := make(chan int)
		go receive(ch)
		time.Sleep(time.Second)
		close(ch)
	})
}

// A Cleanup registered after Verify runs before the check.
func TestInsideCleanupStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leakcheck.Verify(t)
		ch := make(chan int)
		go receive(ch)
		t.Cleanup(func() { close(ch) })
	})
}

// Verify outside the bubble, around it.
func TestOutsideClean(t *testing.T) {
	leakcheck.Verify(t)
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan int)
		go receive(ch)
		time.Sleep(time.Second)
		close(ch)
	})
}

// A leak outside any bubble is leakcheck's, in a test that also uses a
// bubble.
func TestLeakBesideBubble(t *testing.T) {
	leakcheck.Verify(t)
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan int)
		go receive(ch)
		time.Sleep(time.Second)
		close(ch)
	})
	go send(make(chan int))
}

// A goroutine left blocked in a bubble is synctest's to report: it
// panics with "deadlock: main bubble goroutine has exited but blocked
// goroutines remain", which ends the test binary. Leakcheck, whether
// Verify was called inside or outside the bubble, adds no report.
func TestBubbleLeak(t *testing.T) {
	where := os.Getenv("E2E_BUBBLE_LEAK")
	switch where {
	case "":
		t.Skip("synctest panics on this leak, which ends the test binary; set E2E_BUBBLE_LEAK=inside or outside")
	case "outside":
		leakcheck.Verify(t)
	}
	synctest.Test(t, func(t *testing.T) {
		if where == "inside" {
			leakcheck.Verify(t)
		}
		go receive(make(chan int))
	})
}
