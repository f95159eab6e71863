package imports

import (
	"testing"

	"github.com/leakcheck/leakcheck"
	"go.uber.org/goleak"
)

func TestMixed(t *testing.T) {
	leakcheck.Verify(t)
	defer goleak.VerifyNone(t) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Find`
}
