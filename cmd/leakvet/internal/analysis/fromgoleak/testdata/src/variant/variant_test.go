package variant

import (
	"testing"

	"go.uber.org/goleak"
)

func TestVariant(t *testing.T) {
	defer goleak.VerifyNone(t, append(Opts, goleak.IgnoreAnyContainingPkg("a"))...) // want `goleak.IgnoreAnyContainingPkg has no leakcheck counterpart`
}
