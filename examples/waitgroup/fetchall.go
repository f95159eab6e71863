//go:build go1.25

package waitgroup

import (
	"context"
	"sync"
)

// FetchAll calls fetch for every key concurrently and returns the values
// of the calls that succeeded, or what it had when ctx expired.
//
// Bug: a worker whose fetch fails returns without calling Done, so the
// goroutine waiting to close results blocks forever in Wait.
func FetchAll(ctx context.Context, keys []string, fetch func(string) (string, error)) ([]string, error) {
	results := make(chan string, len(keys))
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			v, err := fetch(k)
			if err != nil {
				return
			}
			results <- v
			wg.Done()
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return collect(ctx, results)
}

// FetchAllFixed is FetchAll without the leak: WaitGroup.Go calls Done
// however the worker returns.
func FetchAllFixed(ctx context.Context, keys []string, fetch func(string) (string, error)) ([]string, error) {
	results := make(chan string, len(keys))
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() {
			if v, err := fetch(k); err == nil {
				results <- v
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return collect(ctx, results)
}

// collect receives values until results is closed or ctx is done.
func collect(ctx context.Context, results <-chan string) ([]string, error) {
	var out []string
	for {
		select {
		case v, ok := <-results:
			if !ok {
				return out, nil
			}
			out = append(out, v)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}
