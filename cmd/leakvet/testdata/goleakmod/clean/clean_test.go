package clean

import (
	"testing"

	"example.com/goleakmod/leakopts"
	"go.uber.org/goleak"
)

var ignoreDaemon = []goleak.Option{goleak.IgnoreTopFunction("example.com/goleakmod/clean.daemon")}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakopts.Options()...)
}

// A deferred check at the top of a test.
func TestStartStop(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreDaemon...)
	stop := Start()
	stop()
}

// A check at a point in the test.
func TestCheckAtEnd(t *testing.T) {
	stop := Start()
	stop()
	goleak.VerifyNone(t, leakopts.Options()...)
}

func TestFind(t *testing.T) {
	if err := goleak.Find(leakopts.Options(goleak.IgnoreCurrent())...); err != nil {
		t.Fatal(err)
	}
}

// Subtest A still runs its worker when subtest B checks: goleak blames
// A's goroutines on B.
func TestParallel(t *testing.T) {
	aStarted, bChecked := make(chan struct{}), make(chan struct{})
	t.Run("A", func(t *testing.T) {
		t.Parallel()
		defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("example.com/goleakmod/clean.daemon"))
		stop := Start()
		close(aStarted)
		<-bChecked
		stop()
	})
	t.Run("B", func(t *testing.T) {
		t.Parallel()
		defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("example.com/goleakmod/clean.daemon"))
		t.Cleanup(func() { close(bChecked) })
		<-aStarted
	})
}
