//go:build go1.23

package modern

import (
	"context"
	"time"
)

// Since go1.23 the garbage collector frees these tickers: no leak.

func tick(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.Tick(time.Second):
	}
}

func neverStopped() {
	t := time.NewTicker(time.Second)
	<-t.C
}
