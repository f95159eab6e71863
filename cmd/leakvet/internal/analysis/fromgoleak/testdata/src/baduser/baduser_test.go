package baduser // want package:"goleakUser"

import (
	"badlib"
	"testing"

	"go.uber.org/goleak"
)

func TestUser(t *testing.T) {
	defer goleak.VerifyNone(t, badlib.Opts...) // want `badlib.Opts has goleak types, and package badlib cannot be translated yet: fix the goleak uses there first`
}
