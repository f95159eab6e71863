// Package publish is run by leakcheck's end-to-end tests of the machine
// readable outputs (LEAKCHECK_PROFILE_DIR, LEAKCHECK_JSON, -artifacts):
// tests named TestLeak* must fail, the others pass.
package publish

import (
	"sync"
	"testing"

	"github.com/leakcheck/leakcheck"
)

func sendForever(ch chan int) { ch <- 1 }

func selectForever(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

// Two kinds of leak: three goroutines blocked sending, one in a select.
func TestLeakTwoKinds(t *testing.T) {
	leakcheck.Verify(t)
	var started sync.WaitGroup
	for range 3 {
		started.Add(1)
		go started.Done()
		go sendForever(make(chan int))
	}
	go selectForever(make(chan int), make(chan int))
	started.Wait()
}

// A subtest whose name is no good as a file name.
func TestLeakNames(t *testing.T) {
	t.Run("../../escape me/..", func(t *testing.T) {
		leakcheck.Verify(t)
		go sendForever(make(chan int))
	})
}

func TestClean(t *testing.T) {
	leakcheck.Verify(t)
	ch := make(chan int)
	go sendForever(ch)
	<-ch
}
