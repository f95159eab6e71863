package hoist // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestFirst(t *testing.T) {
	defer goleak.VerifyNone(t) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestFirst`
	work()
}

func TestLater(t *testing.T) {
	t.Parallel()
	ch := make(chan int)
	// The check.
	defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("a.b"), goleak.IgnoreAnyFunction("c.d")) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestLater`
	close(ch)
}

var ignored = "x.y"

func TestSubtests(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer goleak.VerifyNone(t, goleak.IgnoreCreatedBy(ignored+".z")) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of the subtest`
			work()
		})
	}
}

func BenchmarkWork(b *testing.B) {
	b.ReportAllocs()
	defer goleak.VerifyNone(b) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of BenchmarkWork`
	for b.Loop() {
		work()
	}
}

func FuzzWork(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		_ = s
		defer goleak.VerifyNone(t) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of the fuzz function`
	})
}

func TestOneLine(t *testing.T) { work(); defer goleak.VerifyNone(t) } // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestOneLine`

func TestCurrentFirst(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestCurrentFirst`
	work()
}

func work() {}
