package goleaked

import (
	"testing"

	"go.uber.org/goleak"
)

func TestAsync(t *testing.T) {
	defer goleak.VerifyNone(t)
	go func() {}()
}
