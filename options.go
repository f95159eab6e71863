package leakcheck

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultMaxWait is how long a check waits for goroutines to finish when
// neither [MaxWait] nor [MaxWaitEnv] says otherwise. Goroutines that
// shut down asynchronously usually finish within milliseconds, but a
// loaded CI machine can stall them for a second or more; a passing check
// returns as soon as they are gone, so only real leaks pay the full wait,
// and leaks the runtime can prove fail at once.
const DefaultMaxWait = 5 * time.Second

// MaxWaitEnv names the environment variable that sets the default wait,
// as a Go duration such as "10s", so that CI can allow slow machines more
// time without code changes.
const MaxWaitEnv = "LEAKCHECK_MAX_WAIT"

// An Option changes what a check ignores or how long it waits. Options
// are made by the functions of this package, such as [IgnoreTopFunction]
// and [MaxWait], and given to [Verify], [VerifyTestMain] or [Find].
type Option interface {
	apply(*Config)
}

type optionFunc func(*Config)

func (f optionFunc) apply(c *Config) { f(c) }

// Config is the result of applying options.
type Config struct {
	Ignores      []func(*Goroutine) bool // user rules; see config.ignored
	IgnoreIDs    map[uint64]bool         // IgnoreCurrent's goroutines
	MaxWait      time.Duration
	MaxWaitSet   bool // MaxWait was given
	CheckOnFail  bool
	SleepWait    time.Duration // MaxWaitSleeping; no longer than maxWait when unset
	BaselinePath string        // Baseline; BaselineEnv wins
	Baseline     *File     // loaded from baselinePath or BaselineEnv; nil for none
	ProfileDir   string        // ProfileDir; ProfileDirEnv wins
	JSONPath     string        // JSONFile; JSONEnv wins
	Errs         []error       // problems with the options, reported by the caller
}

// IgnoreTopFunction ignores goroutines whose innermost frame is the
// function name, fully qualified as it appears in a stack trace, e.g.
// "internal/poll.runtime_pollWait". A goroutine that has not run yet
// shows only the compiler's wrapper for its go statement (such as
// "pkg.F.gowrap1"); a check that waits sees its real frames once it runs.
func IgnoreTopFunction(name string) Option {
	return ignoreName("IgnoreTopFunction", name, func(g *Goroutine) bool {
		return g.TopFunction() == name
	})
}

// IgnoreAnyFunction ignores goroutines with the function name in any
// frame of their stack, or as their creator.
func IgnoreAnyFunction(name string) Option {
	return ignoreName("IgnoreAnyFunction", name, func(g *Goroutine) bool {
		return g.HasFunction(name)
	})
}

// IgnoreCreatedBy ignores goroutines started by a go statement in the
// function name, e.g. "go.opencensus.io/stats/view.NewMeter".
func IgnoreCreatedBy(name string) Option {
	return ignoreName("IgnoreCreatedBy", name, func(g *Goroutine) bool {
		return g.CreatedBy.Function == name
	})
}

// IgnoreIf ignores the goroutines for which match returns true. Match is
// called with a read-only view of each [Goroutine] that would otherwise be
// reported, possibly several times and from the checking goroutine.
func IgnoreIf(match func(g *Goroutine) bool) Option {
	if match == nil {
		return optionError(errors.New("leakcheck: IgnoreIf: nil match function"))
	}
	return optionFunc(func(c *Config) { c.Ignores = append(c.Ignores, match) })
}

// IgnoreCurrent ignores the goroutines alive when IgnoreCurrent is called,
// which costs one goroutine dump. Goroutines they start later are not
// ignored.
func IgnoreCurrent() Option {
	snap, err := TakeSnapshot()
	if err != nil {
		return optionError(fmt.Errorf("%w (in IgnoreCurrent)", err))
	}
	ids := make(map[uint64]bool, len(snap.Goroutines))
	for _, g := range snap.Goroutines {
		ids[g.ID] = true
	}
	return optionFunc(func(c *Config) {
		if c.IgnoreIDs == nil {
			c.IgnoreIDs = make(map[uint64]bool, len(ids))
		}
		for id := range ids {
			c.IgnoreIDs[id] = true
		}
	})
}

// MaxWait sets the longest a check waits for unexpected goroutines to
// finish before it reports them; the default is [DefaultMaxWait], or
// [MaxWaitEnv] when set. When both are given, the longer one
// applies, so CI can raise the limit but never lower it below what a test
// asked for. Zero checks once without waiting; goroutines the runtime
// proves leaked are reported without waiting in any case.
func MaxWait(d time.Duration) Option {
	if d < 0 {
		return optionError(fmt.Errorf("leakcheck: MaxWait(%v): the wait must not be negative", d))
	}
	return optionFunc(func(c *Config) {
		c.MaxWait = d
		c.MaxWaitSet = true
	})
}

// MaxWaitSleeping sets the longest a check waits for goroutines that may
// be winding down on a timer: asleep (time.Sleep), in a select that the
// runtime did not prove leaked (and, where the runtime can prove leaks, a
// channel receive it did not prove, such as one on a timer's channel), or
// caught running, runnable or in a system call, which is progress (a
// goroutine its timer just woke, on its way to exit). Idle connections
// and cleaners often wake only every ten seconds or more to notice that
// they should stop; MaxWaitSleeping gives them that time without making
// every real leak wait as long: a check waits this long only while every
// goroutine left may be winding down, and reports at [MaxWait] when it
// finds any other left. It has no effect when shorter than the wait of
// MaxWait. Given to [VerifyTestMain], it serves every check of the test
// binary. Once recorded in a baseline ([BaselineUpdateEnv]), such slow
// exits are not waited for at all.
func MaxWaitSleeping(d time.Duration) Option {
	if d < 0 {
		return optionError(fmt.Errorf("leakcheck: MaxWaitSleeping(%v): the wait must not be negative", d))
	}
	return optionFunc(func(c *Config) { c.SleepWait = d })
}

// CheckOnFailure makes [VerifyTestMain] check for leaks even when tests
// failed. By default it reports nothing on top of failing tests, whose
// leaks are often a consequence of the failure. [Verify] and [Find]
// always check, so given to them it is an error.
func CheckOnFailure() Option {
	return optionFunc(func(c *Config) { c.CheckOnFail = true })
}

// onlyInTestMain records an error for options that mean something to
// VerifyTestMain alone, given to caller instead: silently ignoring them
// would leave the user believing they work.
func (c *Config) onlyInTestMain(caller string) {
	if c.CheckOnFail {
		c.Errs = append(c.Errs, fmt.Errorf("leakcheck: CheckOnFailure is an option of VerifyTestMain; %s always checks, whether or not the test failed", caller))
	}
}

// ProfileDir makes every failing check write the leaked goroutines as a
// pprof goroutine profile to a new file in dir, as [ProfileDirEnv]
// describes; the environment variable, when set, wins. A relative dir is
// relative to the test's package directory.
func ProfileDir(dir string) Option {
	if strings.TrimSpace(dir) == "" {
		return optionError(errors.New("leakcheck: ProfileDir: empty directory name"))
	}
	return optionFunc(func(c *Config) { c.ProfileDir = dir })
}

// JSONFile makes every failing check append one JSON line per kind of
// leak to the file at path, with the fields [JSONEnv] documents; the
// environment variable, when set, wins. A relative path is relative to
// the test's package directory.
func JSONFile(path string) Option {
	if strings.TrimSpace(path) == "" {
		return optionError(errors.New("leakcheck: JSONFile: empty file name"))
	}
	return optionFunc(func(c *Config) { c.JSONPath = path })
}

func optionError(err error) Option {
	return optionFunc(func(c *Config) { c.Errs = append(c.Errs, err) })
}

func ignoreName(option, name string, match func(*Goroutine) bool) Option {
	if strings.TrimSpace(name) == "" {
		return optionError(fmt.Errorf("leakcheck: %s: empty function name", option))
	}
	if strings.ContainsAny(name, " \t\n") {
		return optionError(fmt.Errorf("leakcheck: %s(%q): a function name has no spaces; use the name as printed in a stack trace, e.g. \"net/http.(*persistConn).readLoop\"", option, name))
	}
	return optionFunc(func(c *Config) { c.Ignores = append(c.Ignores, match) })
}

// testMainOptions holds the options given to VerifyTestMain, which apply
// to every check of the test binary before the check's own options:
// runMain sets them, buildConfig reads them.
var testMainOptions struct {
	sync.Mutex
	opts []Option // nil Options left out
}

// setTestMainOptions makes opts apply to every later check, and returns
// the options that applied before.
func setTestMainOptions(opts []Option) (previous []Option) {
	testMainOptions.Lock()
	defer testMainOptions.Unlock()
	previous = testMainOptions.opts
	testMainOptions.opts = nil
	for _, o := range opts {
		if o != nil {
			testMainOptions.opts = append(testMainOptions.opts, o)
		}
	}
	return previous
}

// buildConfig applies the options over the defaults and the environment:
// first VerifyTestMain's, then opts.
func buildConfig(opts []Option) *Config {
	testMainOptions.Lock()
	defaults := testMainOptions.opts
	testMainOptions.Unlock()
	return newConfig(defaults, opts)
}

// newConfig applies defaults, then opts, over the built-in defaults and
// the environment. Problems with opts are collected in config.errs; the
// check still runs with whatever was valid, so a typo never disables
// leak checking.
func newConfig(defaults, opts []Option) *Config {
	c := &Config{MaxWait: DefaultMaxWait}
	for _, o := range defaults {
		o.apply(c)
	}
	// VerifyTestMain reported the defaults' problems, and CheckOnFailure
	// is its own.
	c.Errs, c.CheckOnFail = nil, false
	for _, o := range opts {
		if o == nil {
			c.Errs = append(c.Errs, errors.New("leakcheck: nil Option"))
			continue
		}
		o.apply(c)
	}
	c.resolveBaseline()
	if _, err := deadlockWatchSetting(); err != nil {
		c.Errs = append(c.Errs, err)
	}
	if _, err := memorySetting(); err != nil {
		c.Errs = append(c.Errs, err)
	}
	if childRerunErr != nil {
		c.Errs = append(c.Errs, childRerunErr)
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
	return c
}

// switchSetting reads the environment variable name, which turns what on
// or off: "on", "1" or "true", like an empty or missing variable, mean
// on; "off", "0" or "false" mean off. Any other value is an error, and
// leaves it on, so that a typo never turns checking off.
func switchSetting(name, what string) (on bool, err error) {
	raw := os.Getenv(name)
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "", "on", "1", "true":
		return true, nil
	case "off", "0", "false":
		return false, nil
	default:
		return true, fmt.Errorf("leakcheck: %s=%q: use \"off\" to turn %s off, or \"on\"", name, raw, what)
	}
}

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

// Err joins the configuration problems, or returns nil.
func (c *Config) Err() error { return errors.Join(c.Errs...) }
