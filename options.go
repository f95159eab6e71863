package leakcheck

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/check"
)

// DefaultMaxWait is how long a check waits for goroutines to finish when
// neither [MaxWait] nor [MaxWaitEnv] says otherwise. Goroutines that
// shut down asynchronously usually finish within milliseconds, but a
// loaded CI machine can stall them for a second or more; a passing check
// returns as soon as they are gone, so only real leaks pay the full wait,
// and leaks the runtime can prove fail at once.
const DefaultMaxWait = 5 * time.Second

// An Option changes what a check ignores or how long it waits. Options
// are made by the functions of this package, such as [IgnoreTopFunction]
// and [MaxWait], and given to [Verify], [VerifyTestMain] or [Find].
type Option interface {
	apply(*check.Config)
}

type optionFunc func(*check.Config)

func (f optionFunc) apply(c *check.Config) { f(c) }

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
	return optionFunc(func(c *check.Config) {
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
	return optionFunc(func(c *check.Config) { c.SleepWait = d })
}

// CheckOnFailure makes [VerifyTestMain] check for leaks even when tests
// failed. By default it reports nothing on top of failing tests, whose
// leaks are often a consequence of the failure. [Verify] and [Find]
// always check, so given to them it is an error.
func CheckOnFailure() Option {
	return optionFunc(func(c *check.Config) { c.CheckOnFail = true })
}

// onlyInTestMain records an error for options that mean something to
// VerifyTestMain alone, given to caller instead: silently ignoring them
// would leave the user believing they work.
func onlyInTestMain(c *check.Config, caller string) {
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
	return optionFunc(func(c *check.Config) { c.ProfileDir = dir })
}

// JSONFile makes every failing check append one JSON line per kind of
// leak to the file at path, with the fields [JSONEnv] documents; the
// environment variable, when set, wins. A relative path is relative to
// the test's package directory.
func JSONFile(path string) Option {
	if strings.TrimSpace(path) == "" {
		return optionError(errors.New("leakcheck: JSONFile: empty file name"))
	}
	return optionFunc(func(c *check.Config) { c.JSONPath = path })
}

// Baseline makes checks accept the known leaks listed in the file at
// path, as [BaselineEnv] describes; the environment variable, when set,
// wins. A relative path is relative to the test's package directory.
// Given to [VerifyTestMain], it serves every check of the test binary.
func Baseline(path string) Option {
	if strings.TrimSpace(path) == "" {
		return optionError(errors.New("leakcheck: Baseline: empty file name"))
	}
	return optionFunc(func(c *check.Config) { c.BaselinePath = path })
}

func optionError(err error) Option {
	return optionFunc(func(c *check.Config) { c.Errs = append(c.Errs, err) })
}

// buildConfig applies the options over the defaults and the environment:
// first VerifyTestMain's, then opts.
func buildConfig(opts []Option) *check.Config {
	return newConfig(check.TestMainOptions(), opts)
}

// newConfig applies defaults, then opts, over the built-in defaults and
// the environment (see check.NewConfig). Problems with opts are collected
// in the configuration's Errs; the check still runs with whatever was
// valid, so a typo never disables leak checking.
func newConfig(defaults []func(*check.Config), opts []Option) *check.Config {
	return check.NewConfig(defaults, rules(opts))
}

// rules returns what opts do to a configuration, in order; a nil Option
// records an error.
func rules(opts []Option) []func(*check.Config) {
	fs := make([]func(*check.Config), 0, len(opts))
	for _, o := range opts {
		if o == nil {
			fs = append(fs, func(c *check.Config) { c.Errs = append(c.Errs, errors.New("leakcheck: nil Option")) })
			continue
		}
		fs = append(fs, o.apply)
	}
	return fs
}
