package check

import (
	"fmt"
	"testing"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// BenchmarkOwnership measures what per-test ownership adds to a check:
// the work Verify does when a test starts (read its own labels, the
// "before" set, set the scope label), and classifying a snapshot by owner
// rather than taking every goroutine, with n unrelated goroutines alive.
func BenchmarkOwnership(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		stop := make(chan struct{})
		for range n {
			go func() { <-stop }()
		}
		cfg := testConfig()
		self := process.reader.SelfStack()
		snap, err := process.reader.TakeSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		s := newScope(b.Name(), self.ID)
		s.before = snap.SortedIDs()
		b.Run(fmt.Sprintf("start/goroutines=%d", n), func(b *testing.B) {
			rememberSnapshot(snap)
			b.ResetTimer()
			for range b.N {
				g := process.reader.SelfStack()
				if _, _, _, err := goroutinesBefore(g.ID); err != nil {
					b.Fatal(err)
				}
				setLabels(g.ID, g.Labels, "1")
			}
			setLabels(process.reader.SelfStack().ID, nil, "")
		})
		b.Run(fmt.Sprintf("classify-by-owner/goroutines=%d", n), func(b *testing.B) {
			b.ResetTimer()
			for range b.N {
				s.classify(cfg, snap)
			}
		})
		b.Run(fmt.Sprintf("classify-all/goroutines=%d", n), func(b *testing.B) {
			b.ResetTimer()
			for range b.N {
				var leaks []*stack.Goroutine
				for i := range snap.Goroutines {
					if g := &snap.Goroutines[i]; !cfg.Ignored(g) {
						leaks = append(leaks, g)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("dump+parse/goroutines=%d", n), func(b *testing.B) {
			b.ResetTimer()
			for range b.N {
				if _, err := process.reader.TakeSnapshot(); err != nil {
					b.Fatal(err)
				}
			}
		})
		close(stop)
	}
}
