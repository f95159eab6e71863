package leakcheck_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const basicPkg = "github.com/leakcheck/leakcheck/testdata/e2e/basic."

func TestVerifyEndToEnd(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "basic", []string{"LEAKCHECK_MAX_WAIT=3s"})
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{
		"TestLeakSend":               "fail",
		"TestLeakDeep":               "fail",
		"TestLeakDeferred":           "fail",
		"TestLeakSleeping":           "fail",
		"TestLeakGlobalChannel":      "fail",
		"TestSubtests/LeakInSubtest": "fail",
		"TestSubtests":               "fail", // a failing subtest fails its parent
		"TestSubtests/clean":         "pass",
		"TestServerClosedInCleanup":  "pass",
		"TestSlowExit":               "pass",
		"TestWaitsForContext":        "pass",
		"TestWorkersJoined":          "pass",
		"TestVerifyTwice":            "pass",
		"TestIgnoredTopFunction":     "pass",
	})

	cases := []struct {
		test, where, state string
	}{
		{"TestLeakSend", "blocked in: " + basicPkg + "sendForever", "chan send"},
		{"TestLeakDeep", "blocked in: " + basicPkg + "receiveForever", "chan receive"},
		{"TestLeakDeferred", "blocked in: " + basicPkg + "sendForever", "chan send"},
		{"TestLeakSleeping", basicPkg + "TestLeakSleeping.func1 at ", ""}, // caught asleep or awake
		{"TestLeakGlobalChannel", "blocked in: " + basicPkg + "TestLeakGlobalChannel.func1", "chan receive"},
		{"TestSubtests/LeakInSubtest", "blocked in: " + basicPkg + "sendForever", "chan send"},
	}
	for _, c := range cases {
		out := run.output[c.test]
		assert.Contains(t, out, "leakcheck: "+c.test+" leaked 1 goroutine", c.test)
		if c.state != "" {
			assert.Contains(t, out, `in state "`+c.state+`"`, c.test)
		}
		assert.Contains(t, out, c.where, c.test)
		if c.test != "TestSubtests/LeakInSubtest" || slices.Contains(build.Default.ReleaseTags, leakcheck.GoLabels) {
			// Before go1.26 (no labels in the dump) the subtest
			// reports its leak, but "started by" names the creator's
			// top-level test.
			assert.Contains(t, out, "(test "+c.test+")", c.test)
		}
		// Pre-existing goroutines are never blamed.
		assert.NotContains(t, out, "basic.init", c.test)
		assert.NotContains(t, out, "basic.TestMain", c.test)
	}
	// The leak in the subtest is reported once, by the subtest.
	assert.NotContains(t, run.output["TestSubtests"], "leakcheck: TestSubtests leaked")
	// Unprovable leaks wait, here as long as LEAKCHECK_MAX_WAIT (longer
	// than the test's MaxWait) allows; the report says for how long.
	// (at least 3s: a loaded machine reports 3.1s).
	waits := stillThere.FindStringSubmatch(run.output["TestLeakSleeping"])
	if assert.NotNil(t, waits, run.output["TestLeakSleeping"]) {
		d, err := time.ParseDuration(waits[1])
		require.NoError(t, err)
		assert.GreaterOrEqual(t, d, 3*time.Second, run.output["TestLeakSleeping"])
	}
}

func TestVerifyReportsBadMaxWaitEnv(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "basic", []string{"LEAKCHECK_MAX_WAIT=soon"}, "-run", "^TestSlowExit$")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestSlowExit": "fail"})
	assert.Contains(t, run.output["TestSlowExit"], `leakcheck: LEAKCHECK_MAX_WAIT="soon" is not a duration`)
	assert.True(t, strings.Contains(run.output["TestSlowExit"], "basic_test.go:"), "error points at the test:\n%s", run.output["TestSlowExit"])
}

func TestVerifyTestMainEndToEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		env        []string
		exitCode   int
		report     bool
		outcomes   map[string]string
		extraCheck func(t *testing.T, out string)
	}{
		{
			name:     "clean package passes; goroutines of init and TestMain are not leaks",
			exitCode: 0,
			outcomes: map[string]string{"TestClean": "pass", "TestLeaks": "pass", "TestFails": "pass"},
		},
		{
			name:     "a leak fails the package and names the test that started it",
			env:      []string{"E2E_LEAK=1"},
			exitCode: 1,
			report:   true,
			outcomes: map[string]string{"TestClean": "pass", "TestLeaks": "pass", "TestFails": "pass"},
			extraCheck: func(t *testing.T, out string) {
				assert.Contains(t, out, "leakcheck: the tests of testmain leaked 1 goroutine")
				assert.Contains(t, out, "testmain.leakOnce")
				assert.Contains(t, out, "(test TestLeaks)")
				assert.NotContains(t, out, "testmain.init")
				assert.NotContains(t, out, "testmain.TestMain")
			},
		},
		{
			name:     "failing tests keep their exit code and get no leak report",
			env:      []string{"E2E_LEAK=1", "E2E_FAIL=1"},
			exitCode: 1,
			report:   false,
			outcomes: map[string]string{"TestLeaks": "pass", "TestFails": "fail"},
		},
		{
			name:     "CheckOnFailure reports leaks on top of failing tests",
			env:      []string{"E2E_LEAK=1", "E2E_FAIL=1", "E2E_CHECK_ON_FAILURE=1"},
			exitCode: 1,
			report:   true,
			outcomes: map[string]string{"TestLeaks": "pass", "TestFails": "fail"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := runGoTest(t, "testmain", append(c.env, "LEAKCHECK_MAX_WAIT=1s"))
			require.Equal(t, c.exitCode, run.exitCode, run.raw)
			run.requireOutcomes(t, 1, c.outcomes)
			out := run.output[""]
			if c.report {
				assert.Contains(t, out, "leakcheck: the tests of testmain leaked")
			} else {
				assert.NotContains(t, out, "leakcheck:")
			}
			if c.extraCheck != nil {
				c.extraCheck(t, out)
			}
		})
	}
}

// VerifyTestMain runs once however many times the tests repeat, and
// groups identical leaks.
func TestVerifyTestMainGroupsRepeatedLeaks(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "testmain", []string{"E2E_LEAK=1", "LEAKCHECK_MAX_WAIT=1s"}, "-count=3")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 3, map[string]string{"TestClean": "pass", "TestLeaks": "pass"})
	out := run.output[""]
	assert.Contains(t, out, "leaked 3 goroutines")
	assert.Contains(t, out, "[1/1] 3 goroutines")
	assert.Equal(t, 1, strings.Count(out, "stack of goroutine"), out)
}

// VerifyTestMain names the test that started a leak when a helper
// goroutine started it and exited (with the creators' recorded stacks of
// GODEBUG=tracebackancestors), or when the leak runs a closure of the
// test from time.AfterFunc; otherwise it says why it cannot, and what
// would name it.
func TestVerifyTestMainNamesTheTest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		env    []string
		helper string // what the report says of the helper's leak
		note   string
	}{
		{"without ancestry", []string{"E2E_LEAKS=1"},
			"testmainnames.spawn at ", "No test named for 1 goroutine: the goroutines that started them have exited. To name the test, run the tests with GODEBUG=tracebackancestors=100"},
		{"with ancestry", []string{"E2E_LEAKS=1", "GODEBUG=tracebackancestors=100"},
			"testmainnames.spawn at .* \\(test TestHelperStarted\\)", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := runGoTest(t, "testmainnames", c.env)
			require.Equal(t, 1, run.exitCode, run.raw)
			out := run.output[""]
			assert.Contains(t, out, "leaked 3 goroutines (3 kinds)")
			assert.Regexp(t, "started by: .*"+c.helper, out)
			assert.Contains(t, out, "started by: time.goFunc at ")
			assert.Regexp(t, `started by: time.goFunc at \S+ \(test TestAfterFuncClosure\)`, out)
			assert.Contains(t, out, "No test named for 1 goroutine: no goroutine started them (a timer of time.AfterFunc or the runtime did)")
			if c.note != "" {
				assert.Contains(t, out, c.note)
				assert.NotContains(t, out, "(test TestHelperStarted)")
			} else {
				assert.NotContains(t, out, "the goroutines that started them have exited")
			}
		})
	}
}

// Find from inside a test sees no leak in the test binary's own
// goroutines: the main goroutine waiting in t.Run, the test runner and
// the running test.
func TestFindInsideATest(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "findinside", nil)
	run.requireOutcomes(t, 1, map[string]string{"TestFindNothing": "pass", "TestFindLeak": "pass"})
}
