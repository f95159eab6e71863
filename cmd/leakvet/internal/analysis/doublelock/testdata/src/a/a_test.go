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

// Quiet: a helper of the tests does the same.
func blockMutex(t *testing.T, mu *sync.Mutex) {
	go func() {
		mu.Lock()
		mu.Lock()
	}()
	mu.Unlock()
}

// Reported: a function of a test file that is not a test.
func lockTwice(mu *sync.Mutex) {
	mu.Lock()
	mu.Lock() // want "`mu` is locked at a_test.go:29 and locked again at a_test.go:30"
}
