package waits

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestShort(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.MaxRetryAttempts(30)) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestShort`
	time.Sleep(time.Millisecond)
}

func TestShortLater(t *testing.T) {
	time.Sleep(time.Millisecond)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.MaxRetryAttempts(30)) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify`
}

func TestLong(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.MaxRetryAttempts(100), goleak.MaxSleepInterval(time.Second)) // want `deferred goleak.VerifyNone becomes leakcheck.Verify`
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.MaxSleepInterval(time.Second), goleak.MaxRetryAttempts(25)) // want `goleak.VerifyTestMain becomes leakcheck.VerifyTestMain`
}

func find() error {
	if err := goleak.Find(goleak.MaxRetryAttempts(2), goleak.IgnoreCurrent()); err != nil { // want `goleak.Find becomes leakcheck.Find`
		return err
	}
	return goleak.Find( // want `goleak.Find becomes leakcheck.Find; goleak.MaxRetryAttempts\(3\) is dropped: leakcheck waits up to 5s by default`
		goleak.MaxRetryAttempts(3),
	)
}
