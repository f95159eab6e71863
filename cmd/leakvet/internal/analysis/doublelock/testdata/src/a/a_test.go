package a

import (
	"sync"
	"testing"
)

// Quiet: a test blocks a goroutine on purpose and unlocks it itself.
func TestBlocked(t *testing.T) {
	var mu sync.Mutex
	go func() {
		mu.Lock()
		mu.Lock()
	}()
	mu.Unlock()
}
