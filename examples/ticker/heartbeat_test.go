package ticker_test

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/ticker"
)

// beats returns a beat function and a channel that receives at most one
// pending signal per beat, so beat never blocks.
func beats() (func(), <-chan struct{}) {
	ch := make(chan struct{}, 1)
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}, ch
}

func TestFixedHeartbeat(t *testing.T) {
	leakcheck.Verify(t)

	beat, got := beats()
	stop := ticker.StartHeartbeatFixed(time.Millisecond, beat)
	defer stop()
	for range 3 {
		<-got
	}
}

func TestLeakyHeartbeat(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)

	beat, got := beats()
	ticker.StartHeartbeat(time.Millisecond, beat)
	for range 3 {
		<-got
	}
}
