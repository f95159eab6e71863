package verified

import (
	"testing"

	"github.com/leakcheck/leakcheck"
)

func TestAsync(t *testing.T) {
	leakcheck.Verify(t)
	done := make(chan bool)
	go func() { done <- true }()
	<-done
}
