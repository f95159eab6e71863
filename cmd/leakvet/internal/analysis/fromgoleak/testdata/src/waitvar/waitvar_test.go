package waitvar // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

const retries = 1000

var many = goleak.MaxRetryAttempts(retries) // want `goleak.MaxRetryAttempts\(retries\) becomes leakcheck.MaxWait\(leakcheck.DefaultMaxWait\), leakcheck's default`

func TestMany(t *testing.T) {
	defer goleak.VerifyNone(t, many) // want `deferred goleak.VerifyNone becomes leakcheck.Verify`
}
