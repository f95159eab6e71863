//go:build integration

package tagged

import (
	"testing"

	"go.uber.org/goleak"
)

func TestIntegration(t *testing.T) {
	defer goleak.VerifyNone(t)
}
