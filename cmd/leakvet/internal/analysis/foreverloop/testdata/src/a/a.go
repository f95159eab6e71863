package a

import (
	"context"
	"log"
	"sync"
	"time"
)

func handle(int) {}

// Positive cases: nothing ever stops these goroutines.

func selectForever(events chan int, ticker *time.Ticker) {
	go func() {
		for { // want `goroutine loops forever with no way to stop it`
			select {
			case ev := <-events:
				handle(ev)
			case <-ticker.C:
			}
		}
	}()
}

func rangeTicker() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	go func() {
		for range t.C { // want `goroutine loops forever`
			handle(1)
		}
	}()
}

func rangeTick() {
	go func() {
		for now := range time.Tick(time.Second) { // want `goroutine loops forever`
			_ = now
		}
	}()
}

func breakOnlyLeavesSelect(events chan int) {
	go func() {
		for { // want `goroutine loops forever`
			select {
			case ev := <-events:
				if ev < 0 {
					break // leaves the select, not the loop
				}
				handle(ev)
			}
		}
	}()
}

func returnOnlyInClosure(events chan int) {
	go func() {
		for { // want `goroutine loops forever`
			ev := <-events
			func() {
				if ev < 0 {
					return
				}
			}()
		}
	}()
}

type server struct{ events chan int }

func (s *server) loop() {
	for {
		handle(<-s.events)
	}
}

func (s *server) Start() {
	go s.loop() // want `goroutine loop loops forever \(line \d+\) with no way to stop it`
}

func sleepForever() {
	go func() {
		for { // want `goroutine loops forever`
			time.Sleep(time.Minute)
		}
	}()
}

func nestedEndless(events chan int) {
	go func() {
		for ev := range events {
			for { // want `goroutine loops forever`
				handle(ev)
			}
		}
	}()
}

// Negative cases: each loop has a way out.

func ctxDone(ctx context.Context, events chan int) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-events:
				handle(ev)
			}
		}
	}()
}

func doneChannel(done chan struct{}, events chan int) {
	go func() {
		for {
			select {
			case <-done:
				return
			case ev := <-events:
				handle(ev)
			}
		}
	}()
}

func doneFlag(ctx context.Context, events chan int) {
	go func() {
		stopped := false
		for {
			select {
			case <-ctx.Done():
				stopped = true // the exit is out of sight; trust the done case
			case ev := <-events:
				handle(ev)
			}
			_ = stopped
		}
	}()
}

func quitBool(quit chan bool) {
	go func() {
		for {
			if <-quit {
				log.Print("bye")
			}
		}
	}()
}

func labelledBreak(events chan int) {
	go func() {
	loop:
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					break loop
				}
				handle(ev)
			}
		}
		handle(0)
	}()
}

func unlabelledBreak(events chan int) {
	go func() {
		for {
			ev, ok := <-events
			if !ok {
				break
			}
			handle(ev)
		}
	}()
}

func gotoOut(events chan int) {
	go func() {
		for {
			if <-events < 0 {
				goto out
			}
		}
	out:
	}()
}

func continueOuter(events chan int) {
	go func() {
	outer:
		for ev := range events {
			for {
				if ev > 0 {
					continue outer
				}
				ev++
			}
		}
	}()
}

func rangeChannel(events chan int) {
	go func() {
		for ev := range events { // ends when events is closed
			handle(ev)
		}
	}()
}

func tickerWithReturn(ctx context.Context) {
	t := time.NewTicker(time.Second)
	go func() {
		defer t.Stop()
		for range t.C {
			if ctx.Err() != nil {
				return
			}
		}
	}()
}

func panics(events chan int) {
	go func() {
		for {
			if <-events < 0 {
				panic("negative event")
			}
		}
	}()
}

func fatal(events chan int) {
	go func() {
		for {
			if <-events < 0 {
				log.Fatal("negative event")
			}
		}
	}()
}

func conditionLoop(events chan int) {
	go func() {
		for i := 0; i < 10; i++ {
			handle(<-events)
		}
	}()
}

func notAGoroutine(events chan int) {
	for {
		handle(<-events)
	}
}

func init() {
	go func() {
		for range time.Tick(time.Minute) { // the process's own janitor
		}
	}()
}

var once sync.Once

func startOnce(events chan int) {
	once.Do(func() {
		go func() {
			for {
				handle(<-events)
			}
		}()
	})
}

var clockOnce sync.Once

// startClock runs only under clockOnce: its goroutine lives as long as
// the process, as the fasthttp server's date clock does.
func startClock() {
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
}

func serve() { clockOnce.Do(startClock) }

// restartClock is run by a Once, and also called directly: it may run
// many times.
func restartClock() {
	go func() {
		for { // want "goroutine loops forever"
			time.Sleep(time.Second)
		}
	}()
}

func serveTwice() {
	clockOnce.Do(restartClock)
	restartClock()
}

var _ = func() int {
	go func() {
		for {
			time.Sleep(time.Hour)
		}
	}()
	return 0
}()

func otherPackageFunc() {
	go log.Println("not ours to judge")
}

func waitGroupGo(wg *sync.WaitGroup, events chan int) {
	wg.Go(func() {
		for { // want `goroutine loops forever`
			handle(<-events)
		}
	})
	wg.Go(func() {
		for ev := range events {
			handle(ev)
		}
	})
}

func waitGroupGoMethod(wg *sync.WaitGroup, s *server) {
	wg.Go(s.loop) // want `goroutine loop loops forever`
}
