package ctxpass

import (
	"context"
	"time"
)

// A Resolver looks up a name; it gives up when ctx is done.
type Resolver func(ctx context.Context, name string) (string, error)

type result struct {
	addr string
	err  error
}

// Lookup resolves name, giving up after timeout.
//
// Bug: resolve gets parent, not the context with the timeout, so nothing
// ever stops it; and its unbuffered send blocks once Lookup has returned.
func Lookup(parent context.Context, timeout time.Duration, resolve Resolver, name string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	results := make(chan result)
	go func() {
		addr, err := resolve(parent, name)
		results <- result{addr, err}
	}()
	select {
	case r := <-results:
		return r.addr, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// LookupFixed is Lookup without the leak: resolve stops at the deadline,
// and its result has room in the channel whether or not anyone reads it.
func LookupFixed(parent context.Context, timeout time.Duration, resolve Resolver, name string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	results := make(chan result, 1)
	go func() {
		addr, err := resolve(ctx, name)
		results <- result{addr, err}
	}()
	select {
	case r := <-results:
		return r.addr, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
