package comments // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestCommented(t *testing.T) {
	t.Parallel()
	defer goleak.VerifyNone(t, // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestCommented`
		// The pool's workers live as long as the process.
		goleak.IgnoreTopFunction("pool.worker"),
		goleak.IgnoreAnyFunction("cache.refresh"), // refreshed hourly
	) // checked after the test
	work()
}

func TestCleanup(t *testing.T) {
	work()
	t.Cleanup(func() { goleak.VerifyNone(t) }) // want `t.Cleanup of goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestCleanup`
}

func TestAtStart(t *testing.T) {
	goleak.VerifyNone(t) // want `goleak.VerifyNone becomes leakcheck.Find` `goleak.VerifyNone at the start of TestAtStart checks only what earlier tests left`
	work()
}

func work() {}
