package leakcheck_test

import (
	"strings"
	"testing"

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
		{"TestLeakSleeping", "called from: " + basicPkg + "TestLeakSleeping.func1", "sleep"},
		{"TestLeakGlobalChannel", "blocked in: " + basicPkg + "TestLeakGlobalChannel.func1", "chan receive"},
		{"TestSubtests/LeakInSubtest", "blocked in: " + basicPkg + "sendForever", "chan send"},
	}
	for _, c := range cases {
		out := run.output[c.test]
		assert.Contains(t, out, "leakcheck: "+c.test+" leaked 1 goroutine", c.test)
		assert.Contains(t, out, `in state "`+c.state+`"`, c.test)
		assert.Contains(t, out, c.where, c.test)
		assert.Contains(t, out, "(test "+c.test+")", c.test)
		// Pre-existing goroutines are never blamed.
		assert.NotContains(t, out, "basic.init", c.test)
		assert.NotContains(t, out, "basic.TestMain", c.test)
	}
	// The leak in the subtest is reported once, by the subtest.
	assert.NotContains(t, run.output["TestSubtests"], "leakcheck: TestSubtests leaked")
	// Unprovable leaks wait, here as long as LEAKCHECK_MAX_WAIT (longer
	// than the test's MaxWait) allows; the report says for how long.
	assert.Contains(t, run.output["TestLeakSleeping"], "still there after 3s")
}

func TestVerifyReportsBadMaxWaitEnv(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "basic", []string{"LEAKCHECK_MAX_WAIT=soon"}, "-run", "^TestSlowExit$")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestSlowExit": "fail"})
	assert.Contains(t, run.output["TestSlowExit"], `leakcheck: LEAKCHECK_MAX_WAIT="soon" is not a duration`)
	assert.True(t, strings.Contains(run.output["TestSlowExit"], "basic_test.go:"), "error points at the test:\n%s", run.output["TestSlowExit"])
}
