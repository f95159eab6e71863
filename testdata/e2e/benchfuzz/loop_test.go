//go:build go1.24

package benchfuzz

import (
	"testing"

	"github.com/leakcheck/leakcheck"
)

func BenchmarkCleanLoop(b *testing.B) {
	leakcheck.Verify(b) // before b.Loop, which starts the timer afresh
	for b.Loop() {
		roundtrip()
	}
}
