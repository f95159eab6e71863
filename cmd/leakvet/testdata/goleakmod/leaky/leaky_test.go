package leaky

import (
	"testing"

	"go.uber.org/goleak"
)

func TestLeaks(t *testing.T) {
	defer goleak.VerifyNone(t)
	Send(1)
}
