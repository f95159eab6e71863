package optuser // want package:"goleakUser"

import (
	"optlib"
	"testing"

	"go.uber.org/goleak"
)

func TestUser(t *testing.T) {
	defer goleak.VerifyNone(t, optlib.Options()...) // want `deferred goleak.VerifyNone becomes a deferred leakcheck.Verify`
}
