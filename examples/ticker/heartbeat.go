package ticker

import (
	"sync"
	"time"
)

// StartHeartbeat calls beat every interval.
//
// Bug: the ticker is never stopped and the loop never ends.
func StartHeartbeat(interval time.Duration, beat func()) {
	t := time.NewTicker(interval)
	go func() {
		for range t.C {
			beat()
		}
	}()
}

// StartHeartbeatFixed calls beat every interval until stop is called.
// Stop returns once beat will not be called again; it must be called
// once.
func StartHeartbeatFixed(interval time.Duration, beat func()) (stop func()) {
	t := time.NewTicker(interval)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer t.Stop()
		for {
			select {
			case <-t.C:
				beat()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}
