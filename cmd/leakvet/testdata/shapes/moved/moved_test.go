// Package moved has the checks that translate: moved to the first line,
// comments and all, or kept at their moment with goleak's wait.
package moved

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestCommented(t *testing.T) {
	t.Parallel()
	defer goleak.VerifyNone(t,
		// The pool's workers live as long as the process.
		goleak.IgnoreTopFunction("example.com/shapes/moved.worker"),
	) // checked after the test
}

func TestCleanup(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

func TestAtStart(t *testing.T) {
	goleak.VerifyNone(t)
}

// Retries goleak.Find while goroutines wind down, as Eventually does.
func TestRetried(t *testing.T) {
	for i := 0; i < 3; i++ {
		if goleak.Find() == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("leaked")
}
