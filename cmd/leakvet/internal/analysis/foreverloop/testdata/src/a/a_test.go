package a

import "testing"

func TestStartsForever(t *testing.T) {
	events := make(chan int)
	go func() {
		for { // want `goroutine loops forever`
			handle(<-events)
		}
	}()
}
