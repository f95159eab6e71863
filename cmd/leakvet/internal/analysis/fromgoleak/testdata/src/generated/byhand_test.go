package generated // want package:"goleakUser"

import (
	"testing"

	"go.uber.org/goleak"
)

func TestByHand(t *testing.T) {
	defer goleak.VerifyNone(t)
}
