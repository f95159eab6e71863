package leakcheck_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture suite testdata/e2e/adopt has the history of a real one: a
// server never stopped and a goroutine leaked per request (real leaks), a
// daemon started once per process under a sync.Once, a cleaner that
// winds down on a 1.5 s timer, and a cache whose cleaner a
// runtime.AddCleanup stops.

var adoptTests = []string{"TestServerNeverStopped", "TestDaemonFirstUse", "TestDaemonAgain",
	"TestClientClosed", "TestLeakPerRequest", "TestCacheCollected", "TestClean"}

// outcomes maps every test of the suite to pass, but those named to fail.
func outcomes(failing ...string) map[string]string {
	m := make(map[string]string)
	for _, name := range adoptTests {
		m[name] = "pass"
	}
	for _, name := range failing {
		m[name] = "fail"
	}
	return m
}

// Turned on as it is, with the creators' stacks recorded: exactly the
// real leaks fail. The daemon is recognised as started once per process,
// the slow cleaner fits in the default wait, and the collected cache's
// cleaner goes once the check has run the garbage collector.
func TestAdoptExactlyTheRealLeaksFail(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "testdata/e2e/adopt (runtime.AddCleanup)")
	run := runGoTest(t, "adopt", []string{"GODEBUG=tracebackancestors=100"}, "-shuffle=on")
	run.requireOutcomes(t, 1, outcomes("TestServerNeverStopped", "TestLeakPerRequest"))
	assert.Equal(t, 1, run.exitCode)
	daemon := run.output["TestDaemonFirstUse"] + run.output["TestDaemonAgain"]
	assert.Contains(t, daemon, "Not counted: 1 goroutine started once per process (under a sync.Once or by a package initializer)")
	assert.Contains(t, daemon, `ignore for good with leakcheck.IgnoreTopFunction("github.com/leakcheck/leakcheck/testdata/e2e/adopt.refreshLoop")`)
	assert.Contains(t, run.output["TestServerNeverStopped"], "This check waited its 5s (MaxWait) for them: ")
}

// Without the creators' stacks, the daemon is blamed on whichever test
// touches it first, and the report says which option ignores it by the
// function that starts it... here a closure under sync.Once, so by its
// innermost function.
func TestAdoptSingletonWithoutAncestry(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "testdata/e2e/adopt (runtime.AddCleanup)")
	run := runGoTest(t, "adopt", []string{"LEAKCHECK_MAX_WAIT=1s"}, "-run=^TestDaemon")
	first, again := run.results["TestDaemonFirstUse"], run.results["TestDaemonAgain"]
	require.Len(t, first, 1, run.raw)
	require.Len(t, again, 1, run.raw)
	assert.Equal(t, []string{"fail"}, first, "the first test to start the daemon is blamed")
	assert.Equal(t, []string{"pass"}, again)
	assert.Contains(t, run.output["TestDaemonFirstUse"], `leakcheck.IgnoreTopFunction("github.com/leakcheck/leakcheck/testdata/e2e/adopt.refreshLoop")`)
}

// The path to green: configure once in TestMain (a 1 s wait for blocked
// goroutines, 3 s for those winding down on timers), record a baseline
// once, and the suite passes, also shuffled and repeated, without waiting
// for the known leaks, the singleton or the cleaner that exits 1.5 s
// late; a new kind of leak still fails; a known kind that stops occurring
// is reported so the file can shrink.
func TestAdoptBaseline(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "testdata/e2e/adopt (runtime.AddCleanup)")
	baseline := filepath.Join(t.TempDir(), "leakcheck.baseline")
	env := []string{"E2E_CONFIGURED=1", "LEAKCHECK_BASELINE=" + baseline}

	record := runGoTest(t, "adopt", append(env, "GODEBUG=tracebackancestors=100", "LEAKCHECK_BASELINE_UPDATE=1"))
	record.requireOutcomes(t, 1, outcomes())
	require.Equal(t, 0, record.exitCode, record.raw)
	data, err := os.ReadFile(baseline)
	require.NoError(t, err)
	const pkg = "github.com/leakcheck/leakcheck/testdata/e2e/adopt"
	for _, want := range []string{
		" " + pkg + " TestServerNeverStopped: leak: internal/poll.runtime_pollWait in " + pkg + ".Serve, started by " + pkg + ".TestServerNeverStopped\n",
		" " + pkg + " TestLeakPerRequest: leak: " + pkg + ".Handle.func1, started by " + pkg + ".Handle\n",
	} {
		assert.Contains(t, string(data), want)
	}
	// The cleaner exits 1.5 s after its test, past the recording's
	// wait: recorded as a leak, known all the same.
	assert.Contains(t, string(data), " "+pkg+" TestClientClosed: leak: time.Sleep in "+pkg+".cleaner, started by "+pkg+".NewClient\n")
	// Named for the test that started it, or, where that test's check
	// caught it before it first blocked, for the package's check.
	assert.Regexp(t, " "+regexp.QuoteMeta(pkg)+" (TestDaemonFirstUse|TestDaemonAgain|the tests of adopt): singleton: "+
		regexp.QuoteMeta(pkg+".refreshLoop, started by "+pkg+".Daemon.func1")+"\n", string(data))
	assert.Contains(t, record.output["TestClientClosed"], "leakcheck: TestClientClosed: added 1 kind to the baseline "+baseline+" (LEAKCHECK_BASELINE_UPDATE):\n")

	// No GODEBUG from here on: the singleton is known all the same.
	green := runGoTest(t, "adopt", env, "-shuffle=on", "-count=2")
	green.requireOutcomes(t, 2, outcomes())
	assert.Equal(t, 0, green.exitCode, green.raw)
	assert.Contains(t, green.output["TestServerNeverStopped"], "1 goroutine of 1 kind known to the baseline")
	assert.Regexp(t, `TestClientClosed: 1 goroutine of 1 kind known to the baseline .*\n\s+[0-9a-f]{16}: 1 "(sleep|runnable)": time.Sleep in `+pkg+`.cleaner`,
		green.output["TestClientClosed"], "the check passes while the cleaner is still there")
	assert.NotContains(t, green.raw, "This check waited")
	assert.NotContains(t, green.raw, "did not occur")

	newLeak := runGoTest(t, "adopt", append(env, "E2E_NEW_LEAK=1"), "-run=^TestClean$")
	newLeak.requireOutcomes(t, 1, map[string]string{"TestClean": "fail"})
	assert.Contains(t, newLeak.output["TestClean"], "leakcheck: TestClean leaked 1 goroutine")

	stale := runGoTest(t, "adopt", env, "-run=^TestClean$")
	stale.requireOutcomes(t, 1, map[string]string{"TestClean": "pass"})
	assert.Equal(t, 0, stale.exitCode)
	assert.Regexp(t, `leakcheck: [45] kinds in the baseline `+regexp.QuoteMeta(baseline)+` did not occur in this run of `+pkg+`; if they are fixed, remove their lines`, stale.output[""])
}

// A baseline that cannot be read fails every check with the reason, and
// the checks still run.
func TestAdoptBaselineMissing(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "testdata/e2e/adopt (runtime.AddCleanup)")
	run := runGoTest(t, "adopt", []string{"LEAKCHECK_MAX_WAIT=1s", "LEAKCHECK_BASELINE=" + filepath.Join(t.TempDir(), "missing")}, "-run=^TestClean$")
	run.requireOutcomes(t, 1, map[string]string{"TestClean": "fail"})
	assert.Contains(t, run.output["TestClean"], "leakcheck: baseline: open ")
}

// A leak started by a subtest that does not call Verify is reported by
// the parent's check, naming the subtest's function where the creators'
// recorded stacks show it.
func TestSubtestNamed(t *testing.T) {
	t.Parallel()
	for _, ancestry := range []bool{false, true} {
		env := []string{"E2E_LEAK=1"}
		if ancestry {
			env = append(env, "GODEBUG=tracebackancestors=100")
		}
		run := runGoTest(t, "subtests", env)
		run.requireOutcomes(t, 1, map[string]string{"TestPool": "fail", "TestPool/clean": "pass", "TestPool/leaky": "pass"})
		out := run.output["TestPool"]
		if ancestry {
			assert.Contains(t, out, "(test TestPool, in its subtest running TestPool.func2)")
		} else {
			assert.Contains(t, out, "subtests_test.go:24 (test TestPool)\n")
		}
	}
}
