package gostmt

import (
	"sync"
	"testing"
)

func TestWorkers(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // want `tests of package gostmt start goroutines here but never check that they end: add func TestMain`
		defer wg.Done()
	}()
	wg.Wait()
}
