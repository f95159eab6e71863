//go:build go1.21

package old

import (
	"testing"
	"time"
)

func TestTick(t *testing.T) {
	<-time.Tick(time.Millisecond) // a test process is short-lived
}
