package check

import (
	"testing"
	"time"
)

// A testOption changes the configuration of a check started by verify,
// as an option of the package leakcheck does.
type testOption func(*Config)

// verify starts a check of t as leakcheck.Verify does: the options over
// the defaults, then the environment; problems fail t.
func verify(t testing.TB, opts ...testOption) {
	t.Helper()
	cfg := testConfig(opts...)
	for _, err := range cfg.Errs {
		t.Errorf("%v", err)
	}
	StartScope(t, cfg)
}

// testConfig is the configuration that opts make over the defaults and
// the environment.
func testConfig(opts ...testOption) *Config {
	fs := make([]func(*Config), len(opts))
	for i, o := range opts {
		fs[i] = o
	}
	return NewConfig(nil, fs)
}

func maxWait(d time.Duration) testOption {
	return func(c *Config) { c.MaxWait, c.MaxWaitSet = d, true }
}

func maxWaitSleeping(d time.Duration) testOption {
	return func(c *Config) { c.SleepWait = d }
}

func withBaseline(path string) testOption {
	return func(c *Config) { c.BaselinePath = path }
}

// fast keeps the checks of these tests short: their leaks are real.
var fast = maxWait(20 * time.Millisecond)
