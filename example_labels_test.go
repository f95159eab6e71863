//go:build go1.26

package leakcheck_test

import (
	"context"
	"fmt"
	"runtime/pprof"

	"github.com/leakcheck/leakcheck"
)

// Goroutine.Labels is filled from go1.26, whose goroutine dumps show
// pprof labels.

// IgnoreIf accepts goroutines by any property of a Goroutine; here, by
// the pprof labels they inherited from the code that started them.
func ExampleIgnoreIf() {
	before := leakcheck.IgnoreCurrent()
	stop := make(chan struct{})
	defer close(stop)
	pprof.Do(context.Background(), pprof.Labels("role", "janitor"), func(context.Context) {
		startWatcher(stop)
	})

	err := leakcheck.Find(before, leakcheck.MaxWait(0),
		leakcheck.IgnoreIf(func(g *leakcheck.Goroutine) bool {
			return g.Labels["role"] == "janitor"
		}))
	fmt.Println(err)
	// Output: <nil>
}
