package panicworker

import "fmt"

type result struct {
	i   int
	v   string
	err error
}

// MapAll applies f to every item, each in its own goroutine, and returns
// the results in order, or an error if any call panics.
//
// Bug: after the first panic, the other workers block forever on their
// sends to the unbuffered results channel.
func MapAll(items []string, f func(string) string) ([]string, error) {
	return mapAll(items, f, make(chan result))
}

// MapAllFixed is MapAll without the leak: results has room for every
// worker, so none of them waits for a reader.
func MapAllFixed(items []string, f func(string) string) ([]string, error) {
	return mapAll(items, f, make(chan result, len(items)))
}

func mapAll(items []string, f func(string) string, results chan result) ([]string, error) {
	for i, item := range items {
		go work(i, item, f, results)
	}
	out := make([]string, len(items))
	for range items {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		out[r.i] = r.v
	}
	return out, nil
}

// work sends f(item), or the panic of f as an error, on results.
func work(i int, item string, f func(string) string, results chan<- result) {
	defer func() {
		if p := recover(); p != nil {
			results <- result{i: i, err: fmt.Errorf("item %d: panic: %v", i, p)}
		}
	}()
	results <- result{i: i, v: f(item)}
}
