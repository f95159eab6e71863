package keeptiming // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestAtEnd(t *testing.T) {
	work()
	goleak.VerifyNone(t) // want `goleak.VerifyNone becomes leakcheck.Find that fails the test, to keep its moment`
}

func TestInCleanup(t *testing.T) {
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreTopFunction("a.b")) // want `goleak.VerifyNone becomes leakcheck.Find`
	})
}

func checkLeaks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Find that fails the test, to keep its moment`
	work()
}

func TestHelper(t *testing.T) {
	checkLeaks(t)
}

func TestNested(t *testing.T) {
	if !testing.Short() {
		defer goleak.VerifyNone(t) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Find`
	}
	work()
}

func TestLocalOptions(t *testing.T) {
	opts := []goleak.Option{goleak.IgnoreTopFunction("a.b")} // want `goleak.Option becomes leakcheck.Option; goleak.IgnoreTopFunction becomes leakcheck.IgnoreTopFunction`
	defer goleak.VerifyNone(t, opts...)                      // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify: its options must be computed where it is`
}

func TestCurrentLater(t *testing.T) {
	work()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify`
}

func TestHelperOptions(t *testing.T) {
	defer goleak.VerifyNone(t, options()...) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify`
}

func TestTwice(t *testing.T) {
	defer goleak.VerifyNone(t)                         // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestTwice`
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Find`
}

func checkWith(err *testing.T) {
	goleak.VerifyNone(err) // want `goleak.VerifyNone becomes leakcheck.Find`
}

func options() []goleak.Option { return []goleak.Option{goleak.IgnoreCurrent()} } // want `goleak.Option becomes leakcheck.Option` `goleak.Option becomes leakcheck.Option; goleak.IgnoreCurrent becomes leakcheck.IgnoreCurrent`

func work() {}
