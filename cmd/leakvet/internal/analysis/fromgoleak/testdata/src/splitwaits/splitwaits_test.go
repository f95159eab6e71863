package splitwaits // want package:"goleakUser"

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

var slow = []goleak.Option{goleak.MaxSleepInterval(time.Second)} // want `goleak.MaxSleepInterval in a list of options that a check may combine with other retry limits`

func TestSplit(t *testing.T) {
	defer goleak.VerifyNone(t, append(slow, goleak.MaxRetryAttempts(100))...) // want `goleak.MaxRetryAttempts in a list of options that a check may combine`
}

func TestNotConstant(t *testing.T) {
	n := 100
	defer goleak.VerifyNone(t, goleak.MaxRetryAttempts(n)) // want `goleak.MaxRetryAttempts with an argument that is not constant: replace it by hand`
}
