package leakcheck_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's path on testdata/e2e/leakysuite, a suite whose tests
// leave goroutines behind as fasthttp's did: idle loops that exit when
// their timers wake them, a cache janitor on a fast ticker, singletons
// started on first use, real leaks, and leaks on error paths that one run
// in five takes (LEAKYSUITE_SEED replays the same runs). Recorded once
// over several shuffled runs, the baseline makes every later run green
// without GODEBUG, and a new leak still fails. bench/adopt measures the
// same path, with times (BENCHMARKS.md).
func TestLeakySuitePath(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, leakcheck.GoLabels, "testdata/e2e/leakysuite (telling the tests' goroutines apart by their labels)")
	baseline := filepath.Join(t.TempDir(), "leakcheck.baseline")
	env := []string{"LEAKCHECK_BASELINE=" + baseline}

	// LEAKYSUITE_SEED=1 has both rare leaks occur in these ten runs.
	record := runGoTest(t, "leakysuite", append(env, "GODEBUG=tracebackancestors=100", "LEAKCHECK_BASELINE_UPDATE=1", "LEAKYSUITE_SEED=1"),
		"-shuffle=on", "-count=10")
	require.Equal(t, 0, record.exitCode, record.raw)
	data, err := os.ReadFile(baseline)
	require.NoError(t, err)
	const pkg = "github.com/leakcheck/leakcheck/testdata/e2e/leakysuite"
	text := string(data)
	for _, want := range []string{
		" TestClientRetry: leak: " + pkg + ".logFailures, started by " + pkg + ".(*HostClient).DoRetry\n",
		" TestClientPrefetch: leak: " + pkg + ".(*HostClient).Prefetch.func1, started by " + pkg + ".(*HostClient).Prefetch\n",
		": singleton: time.Sleep in " + pkg + ".startDateUpdater.func1.1, started by " + pkg + ".startDateUpdater.func1\n",
	} {
		assert.Contains(t, text, want)
	}
	// The cache's janitor exits at its next idle tick, which the
	// recording's wait may or may not see.
	assert.Regexp(t, `: (slow exit|leak): `+regexp.QuoteMeta(pkg+".(*Cache).janitor, started by "+pkg+".NewCache\n"), text)
	// Every line names the suite's own function and its creator, so that
	// lines that wait in time.Sleep can be told apart.
	line := regexp.MustCompile(`^[0-9a-f]{16} ` + regexp.QuoteMeta(pkg) + ` (Test\S+|the tests of leakysuite): (leak|slow exit|singleton): (\S+ in )?` +
		regexp.QuoteMeta(pkg) + `\.\S+, started by ` + regexp.QuoteMeta(pkg) + `\.\S+$`)
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(l, "#") {
			assert.Regexp(t, line, l)
		}
	}

	// Each process meets the singletons anew, in another test.
	for _, seed := range []string{"2", "3"} {
		green := runGoTest(t, "leakysuite", append(env, "LEAKYSUITE_SEED="+seed), "-shuffle=on", "-count=2")
		require.Equal(t, 0, green.exitCode, green.raw)
		for name, actions := range green.results {
			assert.NotContains(t, actions, "fail", name)
		}
		assert.NotContains(t, green.raw, "This check waited")
	}

	newLeak := runGoTest(t, "leakysuite", append(env, "E2E_NEW_LEAK=1"), "-run=^TestClientReuse$")
	newLeak.requireOutcomes(t, 1, map[string]string{"TestClientReuse": "fail"})
	assert.Contains(t, newLeak.output["TestClientReuse"], "leakcheck: TestClientReuse leaked 1 goroutine")
}
