package leakcheck_test

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// StressEnv selects TestStress's configuration: unset or "quick" for the
// short run of "go test ./...", "full" for the run of scripts/stress.sh.
const stressEnv = "LEAKCHECK_STRESS"

// A stressConfig is one "go test" run of testdata/stress.
type stressConfig struct {
	name string
	runs int // -count times the number of -cpu values
	env  []string
	args []string
}

// stressCountEnv overrides the -count of the full configuration.
const stressCountEnv = "LEAKCHECK_STRESS_COUNT"

func stressConfigs(mode string) ([]stressConfig, error) {
	common := []string{"-race", "-shuffle=on", "-parallel=8", "-timeout=60m"}
	count := func(n int) []string { return []string{"-count=" + strconv.Itoa(n)} }
	if mode == "full" {
		n := 50
		if v := os.Getenv(stressCountEnv); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return nil, fmt.Errorf("%s=%q: want a positive number", stressCountEnv, v)
			}
		}
		return []stressConfig{
			{name: "cpu=1,2,4", runs: 3 * n, args: slices.Concat(common, count(n), []string{"-cpu=1,2,4"})},
			{name: "GOMAXPROCS=1", runs: n, env: []string{"GOMAXPROCS=1"}, args: slices.Concat(common, count(n))},
		}, nil
	}
	return []stressConfig{
		{name: "cpu=1,2", runs: 4, args: slices.Concat(common, count(2), []string{"-cpu=1,2"})},
		{name: "GOMAXPROCS=1", runs: 1, env: []string{"GOMAXPROCS=1"}, args: slices.Concat(common, count(1))},
	}, nil
}

// TestStress runs the stress suite, where every TestClean* must pass and
// every TestLeak* must fail with its own leak report, every time, and
// prints a summary line per configuration. scripts/stress.sh runs the
// full configuration under CPU load.
func TestStress(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "testdata/stress (t.Context, iter.Pull)")
	mode := os.Getenv(stressEnv)
	if mode != "" && mode != "quick" && mode != "full" {
		t.Fatalf("%s=%q: want quick or full", stressEnv, mode)
	}
	configs, err := stressConfigs(mode)
	require.NoError(t, err)
	for _, c := range configs {
		run := runGoTest(t, "../stress", c.env, c.args...)
		s := summarizeStress(run, c.runs)
		t.Logf("stress summary [%s %s]: %s", toolchainName(), c.name, s)
		assert.Equal(t, 1, run.exitCode, "the leaking tests fail the package\n%s", s.details)
		assert.Zero(t, s.falseFailures, "false failures\n%s", s.details)
		assert.Zero(t, s.missedLeaks, "missed leaks\n%s", s.details)
		assert.Zero(t, s.misattributed, "leaks blamed on clean tests\n%s", s.details)
		assert.Zero(t, s.missingRuns, "tests that did not run every time\n%s", s.details)
		assert.GreaterOrEqual(t, s.cleanTests, 30)
		assert.GreaterOrEqual(t, s.leakTests, 15)
	}
}

// toolchainName names the toolchain that built this test, which is the
// one that runs the stress package too, with its experiments
// ("go1.26.8-X:goroutineleakprofile").
func toolchainName() string { return runtime.Version() }

type stressSummary struct {
	runs, tests, results       int
	cleanTests, leakTests      int
	falseFailures, missedLeaks int
	misattributed, missingRuns int
	details                    string
}

func (s stressSummary) String() string {
	return fmt.Sprintf("runs=%d tests=%d (clean %d, leaking %d) results=%d false_failures=%d missed_leaks=%d misattributed=%d missing_runs=%d",
		s.runs, s.tests, s.cleanTests, s.leakTests, s.results, s.falseFailures, s.missedLeaks, s.misattributed, s.missingRuns)
}

// expectLeak reports whether the test must fail: the last element of its
// name that starts with Clean or Leak (after an optional "Test") decides.
// ok is false when no element does.
func expectLeak(name string) (leak, ok bool) {
	elems := strings.Split(name, "/")
	for i := len(elems) - 1; i >= 0; i-- {
		e := strings.TrimPrefix(elems[i], "Test")
		switch {
		case strings.HasPrefix(e, "Leak"):
			return true, true
		case strings.HasPrefix(e, "Clean"):
			return false, true
		}
	}
	return false, false
}

func summarizeStress(run *goTestRun, runs int) stressSummary {
	s := stressSummary{runs: runs}
	var details strings.Builder
	names := make([]string, 0, len(run.results))
	for name := range run.results {
		names = append(names, name)
	}
	slices.Sort(names)
	hasChildren := func(name string) bool {
		for _, n := range names {
			if strings.HasPrefix(n, name+"/") {
				return true
			}
		}
		return false
	}
	for _, name := range names {
		actions := run.results[name]
		s.tests++
		s.results += len(actions)
		leak, ok := expectLeak(name)
		if !ok {
			fmt.Fprintf(&details, "%s: name says neither Clean nor Leak\n", name)
			s.falseFailures += len(actions)
			continue
		}
		top := !strings.Contains(name, "/")
		switch {
		case leak && top:
			s.leakTests++
		case top:
			s.cleanTests++
		}
		if len(actions) != runs {
			s.missingRuns += runs - len(actions)
			fmt.Fprintf(&details, "%s: ran %d times, want %d\n", name, len(actions), runs)
		}
		fails := 0
		for _, a := range actions {
			if a == "fail" {
				fails++
			}
		}
		out := run.output[name]
		if !leak {
			if fails > 0 {
				s.falseFailures += fails
				fmt.Fprintf(&details, "%s: FALSE FAILURE %d of %d runs:\n%s\n", name, fails, len(actions), out)
			}
			continue
		}
		missed := len(actions) - fails
		if !hasChildren(name) {
			// Each failure of a leaf must come with its own report.
			reports := strings.Count(out, "leakcheck: "+name+" leaked ")
			missed += max(0, fails-reports)
		}
		if missed > 0 {
			s.missedLeaks += missed
			fmt.Fprintf(&details, "%s: MISSED %d of %d runs:\n%s\n", name, missed, len(actions), out)
		}
		if n := strings.Count(out, "(test TestClean"); n > 0 {
			s.misattributed += n
			fmt.Fprintf(&details, "%s: blames a clean test:\n%s\n", name, out)
		}
	}
	if s.missingRuns > 0 {
		fmt.Fprintf(&details, "output outside tests:\n%s\n", run.output[""])
	}
	s.details = details.String()
	return s
}

func TestExpectLeak(t *testing.T) {
	cases := []struct {
		name     string
		leak, ok bool
	}{
		{"TestCleanX", false, true},
		{"TestLeakX", true, true},
		{"TestLeakX/Clean", false, true},
		{"TestLeakX/LeakSerial", true, true},
		{"TestCleanX/a/x", false, true},
		{"TestLeakNested/LeakLevel1/LeakLevel2", true, true},
		{"TestOther", false, false},
	}
	for _, c := range cases {
		leak, ok := expectLeak(c.name)
		assert.Equal(t, c.leak, leak, c.name)
		assert.Equal(t, c.ok, ok, c.name)
	}
}
