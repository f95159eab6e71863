package main

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/leakcheck/leakcheck"
)

// stuck is a channel nothing ever sends on, held by a package variable so
// that no runtime can prove the goroutine waiting on it leaked: each check
// below must wait its whole budget, as a retried check of a real leak
// that is still winding down does.
var stuck = make(chan struct{})

// BenchmarkFindFailing measures one failing goleak.Find against the
// leakcheck.Find that leakvet -fromgoleak writes for it (goleak's wait,
// leakcheck.MaxWait(432 * time.Millisecond)): code that retries the check
// in a loop runs at the same pace after the translation.
func BenchmarkFindFailing(b *testing.B) {
	go func() { <-stuck }()
	b.Run("goleak", func(b *testing.B) {
		for b.Loop() {
			if goleak.Find() == nil {
				b.Fatal("goleak.Find found no leak")
			}
		}
	})
	b.Run("leakcheck", func(b *testing.B) {
		for b.Loop() {
			if leakcheck.Find(leakcheck.MaxWait(432*time.Millisecond)) == nil {
				b.Fatal("leakcheck.Find found no leak")
			}
		}
	})
}
