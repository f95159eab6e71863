package waits // want package:"goleakUser"

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

var slow = []goleak.Option{ // want `goleak.Option becomes leakcheck.Option; goleak.IgnoreCurrent becomes leakcheck.IgnoreCurrent; goleak.MaxSleepInterval\(10 \* time.Millisecond\) is dropped: leakcheck waits up to 5s by default`
	goleak.IgnoreCurrent(),
	goleak.MaxSleepInterval(10 * time.Millisecond),
}

func TestSlow(t *testing.T) {
	goleak.VerifyNone(t, slow...) // want `goleak.VerifyNone becomes leakcheck.Find`
}
