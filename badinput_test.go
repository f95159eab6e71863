package leakcheck

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fast keeps the checks of these tests short: their leaks are real.
var fast = MaxWait(20 * time.Millisecond)

// Every invalid option fails the test with an error that says what is
// wrong, and the check still runs with the valid options: a leak is
// still caught.
func TestBadOptionsStillCheck(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
		want string
	}{
		{"empty IgnoreTopFunction", IgnoreTopFunction(""), "leakcheck: IgnoreTopFunction: empty function name"},
		{"blank IgnoreAnyFunction", IgnoreAnyFunction(" \t"), "leakcheck: IgnoreAnyFunction: empty function name"},
		{"empty IgnoreCreatedBy", IgnoreCreatedBy(""), "leakcheck: IgnoreCreatedBy: empty function name"},
		{"name with spaces", IgnoreTopFunction("main.worker (leaked)"),
			`leakcheck: IgnoreTopFunction("main.worker (leaked)"): a function name has no spaces; use the name as printed in a stack trace, e.g. "net/http.(*persistConn).readLoop"`},
		{"name with newline", IgnoreCreatedBy("main.f\nmain.g"), `leakcheck: IgnoreCreatedBy("main.f\nmain.g"): a function name has no spaces`},
		{"negative MaxWait", MaxWait(-time.Second), "leakcheck: MaxWait(-1s): the wait must not be negative"},
		{"nil Option", nil, "leakcheck: nil Option"},
		{"nil IgnoreIf", IgnoreIf(nil), "leakcheck: IgnoreIf: nil match function"},
		{"CheckOnFailure", CheckOnFailure(), "leakcheck: CheckOnFailure is an option of VerifyTestMain; Verify always checks, whether or not the test failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := testenv.NewRecorder(t, "TestBad/"+c.name)
			Verify(r, c.opt, fast)
			testenv.LeakUntilCleanup(t)
			r.Finish()
			errs := r.AllErrors()
			assert.Contains(t, errs, c.want)
			assert.Contains(t, errs, "leakcheck: TestBad/"+c.name+" leaked 1 goroutine")
		})
	}
}

// An invalid option never widens what is ignored: an empty name matches
// nothing, even goroutines whose stack is unknown.
func TestBadOptionsIgnoreNothing(t *testing.T) {
	cfg := buildConfig([]Option{IgnoreTopFunction(""), IgnoreAnyFunction(""), IgnoreCreatedBy(""), IgnoreIf(nil), nil})
	assert.Len(t, cfg.Errs, 5)
	assert.Empty(t, cfg.Ignores)
	assert.False(t, cfg.Ignored(&Goroutine{ID: 7, State: "chan send"}))
}

// A bad LEAKCHECK_MAX_WAIT fails the test with an error naming the
// variable; the check still runs, with the default or the option's wait.
func TestBadMaxWaitEnv(t *testing.T) {
	cases := []struct{ value, want string }{
		{"soon", `leakcheck: LEAKCHECK_MAX_WAIT="soon" is not a duration; use a Go duration such as "10s" or "500ms"`},
		{"10", `leakcheck: LEAKCHECK_MAX_WAIT="10" is not a duration`},
		{"-1s", `leakcheck: LEAKCHECK_MAX_WAIT="-1s" is negative; use a duration of zero or more`},
		{"1e400s", `leakcheck: LEAKCHECK_MAX_WAIT="1e400s" is not a duration`},
		{"5 s", `leakcheck: LEAKCHECK_MAX_WAIT="5 s" is not a duration`},
	}
	for _, c := range cases {
		t.Run(c.value, func(t *testing.T) {
			t.Setenv(MaxWaitEnv, c.value)
			cfg := buildConfig([]Option{fast})
			require.Len(t, cfg.Errs, 1)
			assert.ErrorContains(t, cfg.Errs[0], c.want)
			assert.Equal(t, 20*time.Millisecond, cfg.MaxWait, "the option's wait still applies")

			r := testenv.NewRecorder(t, "TestBadEnv")
			Verify(r, fast)
			testenv.LeakUntilCleanup(t)
			r.Finish()
			assert.Contains(t, r.AllErrors(), c.want)
			assert.Contains(t, r.AllErrors(), "leakcheck: TestBadEnv leaked 1 goroutine")
		})
	}
	t.Run("blank means unset", func(t *testing.T) {
		t.Setenv(MaxWaitEnv, "  ")
		cfg := buildConfig(nil)
		assert.Empty(t, cfg.Errs)
		assert.Equal(t, DefaultMaxWait, cfg.MaxWait)
	})
	t.Run("spaces around a duration are fine", func(t *testing.T) {
		t.Setenv(MaxWaitEnv, " 2s ")
		cfg := buildConfig([]Option{MaxWait(time.Second)})
		assert.Empty(t, cfg.Errs)
		assert.Equal(t, 2*time.Second, cfg.MaxWait, "the environment raises the option")
	})
}

func TestVerifyNil(t *testing.T) {
	const msg = "leakcheck: Verify called with a nil testing.TB; pass the test's t"
	assert.PanicsWithValue(t, msg, func() { Verify(nil) })
	// A nil *testing.T in a non-nil interface, e.g. a t saved in a
	// variable that was never set.
	var unset *testing.T
	assert.PanicsWithValue(t, msg, func() { Verify(unset) })
	var unsetB *testing.B
	assert.PanicsWithValue(t, msg, func() { Verify(unsetB) })
}

// Verify from a goroutine that is not the test's says so, and still
// checks the goroutines started after it by that goroutine.
func TestVerifyFromOtherGoroutine(t *testing.T) {
	t.Parallel()
	testenv.RequireGo(t, testenv.GoLabels, "telling the test goroutine by its label")
	r := testenv.NewRecorder(t, "TestFromOther")
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	started := make(chan struct{})
	go func() {
		Verify(r, fast)
		go func() { <-stop }()
		close(started)
	}()
	<-started
	r.Finish()
	errs := r.AllErrors()
	assert.Regexp(t, `leakcheck: Verify was called from goroutine \d+, which is not the goroutine running TestFromOther; call it from the test function itself`, errs)
	assert.Contains(t, errs, "leakcheck: TestFromOther leaked 1 goroutine")
}

// Concurrent Verify calls for one test register exactly one check.
func TestVerifyConcurrentCalls(t *testing.T) {
	t.Parallel()
	r := testenv.NewRecorder(t, "TestConcurrent")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			Verify(r, fast)
		}()
	}
	close(start)
	wg.Wait()
	n := r.Pending()
	assert.Equal(t, 1, n, "checks registered")
	r.Finish()
	// Verify is idempotent again once the check has run: a new check may
	// be registered.
	Verify(r, fast)
	n = r.Pending()
	assert.Equal(t, 1, n)
	r.Finish()
}

// Verify after the test function has finished (in a cleanup, or through a
// t saved beyond its test) cannot attribute anything: it says so, and
// changes nothing about the calling goroutine, whose own test's check
// still catches its leaks.
func TestVerifyAfterTestFinished(t *testing.T) {
	parent := testenv.NewRecorder(t, "TestParent")
	Verify(parent, fast)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	finished := testenv.NewRecorder(t, "TestParent/finished")
	finished.Ctx = ctx
	Verify(finished, fast)
	assert.Contains(t, finished.AllErrors(),
		"leakcheck: Verify called for TestParent/finished after the test function returned; call Verify as the first line of the test")
	assert.Zero(t, finished.Pending(), "no check registered")

	testenv.LeakUntilCleanup(t) // the parent's leak
	parent.Finish()
	assert.Contains(t, parent.AllErrors(), "leakcheck: TestParent leaked 1 goroutine")
}

type fakeM func() int

func (m fakeM) Run() int { return m() }

func leakForMain(stop chan struct{}) { <-stop }

// VerifyTestMain with an invalid option reports it, fails, and still
// checks for leaks with the valid options.
func TestVerifyTestMainBadOptionStillChecks(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	var out strings.Builder
	code := runMain(fakeM(func() int {
		go leakForMain(stop)
		return 0
	}), &out, []Option{IgnoreTopFunction(""), fast})
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "leakcheck: IgnoreTopFunction: empty function name")
	assert.Contains(t, out.String(), "leakcheck: the tests of ")
	assert.Contains(t, out.String(), "blocked in: github.com/leakcheck/leakcheck.leakForMain")
}

// Find rejects CheckOnFailure, an option of VerifyTestMain, rather than
// ignoring it silently.
func TestFindRejectsCheckOnFailure(t *testing.T) {
	err := Find(CheckOnFailure(), fast)
	require.Error(t, err)
	assert.Equal(t, "leakcheck: CheckOnFailure is an option of VerifyTestMain; Find always checks, whether or not the test failed", err.Error())
}

// A LEAKCHECK_DEADLOCK value that is neither on nor off fails the check
// with an error, and the check still runs.
func TestBadDeadlockEnv(t *testing.T) {
	// The values themselves: TestDeadlockWatchSetting (internal/check).
	t.Setenv(DeadlockEnv, "maybe")
	r := testenv.NewRecorder(t, "TestBadDeadlockEnv")
	Verify(r, fast)
	testenv.LeakUntilCleanup(t)
	r.Finish()
	assert.Contains(t, r.AllErrors(), `leakcheck: LEAKCHECK_DEADLOCK="maybe"`)
	assert.Contains(t, r.AllErrors(), "leakcheck: TestBadDeadlockEnv leaked 1 goroutine")
}
