package pool

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func TestMain(m *testing.M) {
	var opts []leakcheck.Option
	if os.Getenv("E2E_SLEEPING") != "" {
		opts = append(opts, leakcheck.MaxWaitSleeping(time.Second))
	}
	leakcheck.VerifyTestMain(m, append(opts, leakcheck.MaxWait(300*time.Millisecond))...)
}

// TestPoolNotReleased leaks the pool's two loops.
func TestPoolNotReleased(t *testing.T) {
	leakcheck.Verify(t, ignored()...)
	p := New()
	p.Submit(func() {})
	p.Wait()
}

// TestPoolReleased leaks nothing.
func TestPoolReleased(t *testing.T) {
	leakcheck.Verify(t)
	p := New()
	defer p.Release()
	p.Submit(func() {})
	p.Wait()
}

// TestSpinning leaks a worker that yields in a loop.
func TestSpinning(t *testing.T) {
	leakcheck.Verify(t)
	var stop atomic.Bool
	Spin(&stop)
	// Long after the check, so that the binary's later tests do not
	// compete with it for the CPU.
	time.AfterFunc(3*time.Second, func() { stop.Store(true) })
}

// TestForever leaks a goroutine in a select nothing can wake.
func TestForever(t *testing.T) {
	leakcheck.Verify(t)
	Forever()
}

// ignored returns the options E2E_IGNORE names, "Top:f" or "Any:f",
// separated by commas: what a report suggested.
func ignored() []leakcheck.Option {
	var opts []leakcheck.Option
	for _, spec := range strings.Split(os.Getenv("E2E_IGNORE"), ",") {
		kind, fn, _ := strings.Cut(spec, ":")
		switch kind {
		case "IgnoreTopFunction":
			opts = append(opts, leakcheck.IgnoreTopFunction(fn))
		case "IgnoreAnyFunction":
			opts = append(opts, leakcheck.IgnoreAnyFunction(fn))
		case "IgnoreCreatedBy":
			opts = append(opts, leakcheck.IgnoreCreatedBy(fn))
		}
	}
	return opts
}
