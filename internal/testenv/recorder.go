package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Recorder is a testing.TB that records what Verify reports and runs its
// cleanups when told, so that a test can watch a check fail without
// failing itself. Everything else goes to the real test.
type Recorder struct {
	testing.TB
	name string
	Ctx  context.Context // nil: the real test's

	mu       sync.Mutex
	Errors   []string
	Logs     []string
	cleanups []func()
}

// NewRecorder returns a Recorder for a test named name inside t.
func NewRecorder(t *testing.T, name string) *Recorder {
	return &Recorder{TB: t, name: name}
}

func (r *Recorder) Name() string { return r.name }

func (r *Recorder) Helper() {}

func (r *Recorder) Context() context.Context {
	if r.Ctx != nil {
		return r.Ctx
	}
	if c, ok := r.TB.(interface{ Context() context.Context }); ok {
		return c.Context() // go1.24
	}
	return context.Background()
}

func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

func (r *Recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Logs = append(r.Logs, fmt.Sprintf(format, args...))
}

func (r *Recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// Finish runs the cleanups, last first, as the testing package does.
func (r *Recorder) Finish() {
	for {
		r.mu.Lock()
		if len(r.cleanups) == 0 {
			r.mu.Unlock()
			return
		}
		f := r.cleanups[len(r.cleanups)-1]
		r.cleanups = r.cleanups[:len(r.cleanups)-1]
		r.mu.Unlock()
		f()
	}
}

func (r *Recorder) AllErrors() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.Errors, "\n")
}

// LeakUntilCleanup starts a goroutine that blocks until the real test
// ends, so that the recorder's check sees a leak and the real test's
// process does not keep it.
func LeakUntilCleanup(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() { <-stop }()
}

// Pending returns how many cleanups are registered and have not run.
func (r *Recorder) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.cleanups)
}
