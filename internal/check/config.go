package check

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/deadlock"
	"github.com/leakcheck/leakcheck/internal/measure"
	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// Config is the result of applying options.
type Config struct {
	Ignores      []func(*stack.Goroutine) bool // user rules; see Config.Ignored
	IgnoreIDs    map[uint64]bool               // IgnoreCurrent's goroutines
	MaxWait      time.Duration
	MaxWaitSet   bool // MaxWait was given
	CheckOnFail  bool
	SleepWait    time.Duration  // MaxWaitSleeping; no longer than maxWait when unset
	BaselinePath string         // Baseline; BaselineEnv wins
	Baseline     *baseline.File // loaded from baselinePath or BaselineEnv; nil for none
	ProfileDir   string         // ProfileDir; ProfileDirEnv wins
	JSONPath     string         // JSONFile; JSONEnv wins
	Errs         []error        // problems with the options, reported by the caller
}

// Err joins the configuration problems, or returns nil.
func (c *Config) Err() error { return errors.Join(c.Errs...) }

func parseMaxWaitEnv(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("leakcheck: %s=%q is not a duration; use a Go duration such as \"10s\" or \"500ms\"", MaxWaitEnv, s)
	}
	if d < 0 {
		return 0, fmt.Errorf("leakcheck: %s=%q is negative; use a duration of zero or more", MaxWaitEnv, s)
	}
	return d, nil
}

// Ignored reports whether the configuration excludes g, by default rule,
// by ID (IgnoreCurrent) or by a user rule.
func (c *Config) Ignored(g *stack.Goroutine) bool {
	if owner.IgnoredByDefault(g) || c.IgnoreIDs[g.ID] {
		return true
	}
	for _, match := range c.Ignores {
		if match(g) {
			return true
		}
	}
	return false
}

// resolveBaseline loads the baseline the environment or the options name
// into c.baseline, or records why it cannot.
func (c *Config) resolveBaseline() {
	path := c.BaselinePath
	if env := os.Getenv(baseline.BaselineEnv); strings.TrimSpace(env) != "" {
		path = env
	}
	update := false
	switch v := strings.TrimSpace(os.Getenv(baseline.BaselineUpdateEnv)); v {
	case "", "0":
	case "1":
		update = true
	default:
		c.Errs = append(c.Errs, fmt.Errorf("leakcheck: %s=%q: use 1 to add the leaks found to the baseline", baseline.BaselineUpdateEnv, v))
	}
	if path == "" {
		if update {
			c.Errs = append(c.Errs, fmt.Errorf("leakcheck: %s is set but no baseline file is named; set %s or use the Baseline option", baseline.BaselineUpdateEnv, baseline.BaselineEnv))
		}
		return
	}
	b, err := process.baselines.Open(path, update)
	if err != nil {
		c.Errs = append(c.Errs, err)
		return
	}
	c.Baseline = b
}

// ReadEnvironment applies the environment, which has the last word over
// the options: the baseline, the switches of the deadlock watcher and of
// memory measurement, a rerun's request and the default wait. Problems
// are collected in Errs, like those of the options.
func (c *Config) ReadEnvironment() {
	c.resolveBaseline()
	if _, err := deadlock.Setting(); err != nil {
		c.Errs = append(c.Errs, err)
	}
	if _, err := measure.Setting(); err != nil {
		c.Errs = append(c.Errs, err)
	}
	if err := process.measure.RequestErr(); err != nil {
		c.Errs = append(c.Errs, err)
	}
	if env, ok := os.LookupEnv(MaxWaitEnv); ok && strings.TrimSpace(env) != "" {
		d, err := parseMaxWaitEnv(env)
		switch {
		case err != nil:
			c.Errs = append(c.Errs, err)
		case !c.MaxWaitSet || d > c.MaxWait:
			c.MaxWait = d
		}
	}
}

// FunctionRule returns the rule of the ignore option named option
// (IgnoreTopFunction, IgnoreAnyFunction or IgnoreCreatedBy) for the
// function name, or nil when no goroutine's stack can show name.
func FunctionRule(option, name string) func(*stack.Goroutine) bool {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\n") {
		return nil
	}
	switch option {
	case "IgnoreTopFunction":
		return func(g *stack.Goroutine) bool { return g.TopFunction() == name }
	case "IgnoreAnyFunction":
		return func(g *stack.Goroutine) bool { return g.HasFunction(name) }
	default:
		return func(g *stack.Goroutine) bool { return g.CreatedBy.Function == name }
	}
}

// NewConfig applies defaults, then opts, over the built-in defaults, then
// reads the environment (ReadEnvironment). The problems of defaults are
// dropped, and their CheckOnFail: those are VerifyTestMain's, which
// reported them and alone checks after failing tests.
func NewConfig(defaults, opts []func(*Config)) *Config {
	c := &Config{MaxWait: DefaultMaxWait}
	for _, o := range defaults {
		o(c)
	}
	c.Errs, c.CheckOnFail = nil, false
	for _, o := range opts {
		o(c)
	}
	c.ReadEnvironment()
	return c
}

// SetTestMainOptions makes opts, the options of VerifyTestMain, apply to
// every later check before its own, and returns the options that applied
// before.
func SetTestMainOptions(opts []func(*Config)) (previous []func(*Config)) {
	process.testMain.Lock()
	defer process.testMain.Unlock()
	previous, process.testMain.opts = process.testMain.opts, opts
	return previous
}

// TestMainOptions returns the options of VerifyTestMain, which apply to
// every check before its own.
func TestMainOptions() []func(*Config) {
	process.testMain.Lock()
	defer process.testMain.Unlock()
	return process.testMain.opts
}
