package commenttypes // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

// ignored returns a goleak.Option for the pool's workers; a
// goleak.Options list is another word.
func ignored() goleak.Option { // want `goleak.Option becomes leakcheck.Option; goleak.Option in a comment becomes leakcheck.Option`
	return goleak.IgnoreTopFunction("pool.worker") // want `goleak.IgnoreTopFunction becomes leakcheck.IgnoreTopFunction`
}

func TestPool(t *testing.T) {
	defer goleak.VerifyNone(t, ignored()) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify: its options must be computed where it is`
}
