// Package locks has one lock taken twice, for the end-to-end tests.
package locks

import "sync"

type Registry struct {
	mu    sync.Mutex
	names map[string]bool
}

func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.has(name) {
		r.names[name] = true
	}
}

func (r *Registry) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[name]
}
