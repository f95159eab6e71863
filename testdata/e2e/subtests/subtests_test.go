// Package subtests has a test whose subtests do not call Verify; one of
// them leaks. E2E_LEAK=1 makes it leak.
package subtests

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func blockForever(ch chan int) { ch <- 1 }

func TestPool(t *testing.T) {
	leakcheck.Verify(t, leakcheck.MaxWait(200*time.Millisecond))
	t.Run("clean", func(t *testing.T) {
		done := make(chan struct{})
		go func() { close(done) }()
		<-done
	})
	t.Run("leaky", func(t *testing.T) {
		if os.Getenv("E2E_LEAK") != "" {
			go blockForever(make(chan int))
		}
	})
}
