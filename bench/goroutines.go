package main

import (
	"runtime"
	"time"
)

// stop is never closed: the unrelated goroutines wait on it for the life
// of the process. Being global, it stays reachable, so the runtime's leak
// detector never proves them leaked.
var stop = make(chan struct{})

// idleName is idle's name in stack traces, for goleak.IgnoreTopFunction.
const idleName = "main.idle"

const spawnerName = "main.spawner"

var (
	parked int
	spawn  = make(chan int)
)

// spawner starts the unrelated goroutines when asked, from a goroutine
// that main starts before the tests, as a server's accept loop would: they
// belong to the program, not to any test.
func spawner() {
	for n := range spawn {
		for range n {
			go serve()
		}
		spawn <- 0
	}
}

// park brings the number of unrelated goroutines up to n.
func park(n int) {
	if n > parked {
		spawn <- n - parked
		<-spawn
		parked = n
	}
	// Let them all reach their blocking receive.
	for range 100 {
		runtime.Gosched()
	}
	time.Sleep(10 * time.Millisecond)
}

// serve and idle give the unrelated goroutines a stack of a few frames.
//
//go:noinline
func serve() { idle() }

//go:noinline
func idle() { <-stop }
