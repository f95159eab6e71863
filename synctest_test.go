package leakcheck_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Goroutines of a synctest bubble are synctest's: leakcheck reports
// neither them nor the bubble's machinery, inside or outside the bubble,
// and still reports a leak beside the bubble.
func TestSynctestBubbles(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.25", "testdata/e2e/synctest (testing/synctest)")
	run := runGoTest(t, "synctest", []string{"LEAKCHECK_MAX_WAIT=1s", "E2E_BUBBLE_LEAK="}, "-count=3")
	run.requireOutcomes(t, 3, map[string]string{
		"TestInsideClean":        "pass",
		"TestInsideCleanupStops": "pass",
		"TestOutsideClean":       "pass",
		"TestLeakBesideBubble":   "fail",
		"TestBubbleLeak":         "skip",
	})
	out := run.output["TestLeakBesideBubble"]
	assert.Equal(t, 3, countReports(out, "TestLeakBesideBubble", "1 goroutine"), out)
	assert.Equal(t, 3, strings.Count(out, "synctest.send at "), out)
	assert.NotContains(t, out, "synctest bubble", "only the goroutine outside the bubble")
}

// A goroutine left blocked in a bubble fails the test once, by synctest's
// panic, without leakcheck waiting for it or reporting it as well.
func TestSynctestBubbleLeakReportedOnce(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.25", "testdata/e2e/synctest (testing/synctest)")
	for _, where := range []string{"inside", "outside"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			run := runGoTest(t, "synctest", []string{"LEAKCHECK_MAX_WAIT=30s", "E2E_BUBBLE_LEAK=" + where}, "-run=^TestBubbleLeak$")
			require.NotZero(t, run.exitCode, run.raw)
			assert.Contains(t, run.raw, "deadlock: main bubble goroutine has exited but blocked goroutines remain")
			// No report of leakcheck's ("leakcheck: TestBubbleLeak leaked ...");
			// the runtime's own listing may carry the scope's pprof label
			// ({leakcheck: 1}) when it prints while a check dumps.
			assert.NotRegexp(t, `leakcheck: \D`, run.raw)
			assert.Less(t, time.Since(start), 30*time.Second, "leakcheck did not wait for the bubble's goroutine")
			assert.Equal(t, 1, strings.Count(run.raw, "synctest.receive("), "the goroutine is listed once, by the runtime")
		})
	}
}
