package leakcheck_test

import (
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/require"
)

// TestOwnStacksCarryNoLeakcheckLabel runs testdata/e2e/ownstacks, whose
// goroutines print their own traces without pause while leakcheck checks
// and watches: leakcheck's label never shows in them, the program's own
// labels show where the program asked for them, and a leak is still
// attributed to the test that started it.
func TestOwnStacksCarryNoLeakcheckLabel(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		run := runGoTest(t, "ownstacks", nil, "-run", "TestNoLeakcheckLabelInOwnStacks", "-v")
		run.requireOutcomes(t, 1, map[string]string{"TestNoLeakcheckLabelInOwnStacks": "pass"})
		require.Zero(t, run.exitCode, run.raw)
	})
	t.Run("user prints labels", func(t *testing.T) {
		leakcheck.RequireGo(t, "go1.26", "GODEBUG=tracebacklabels")
		run := runGoTest(t, "ownstacks", []string{"GODEBUG=tracebacklabels=1"}, "-run", "TestUserLabelsStillShow")
		run.requireOutcomes(t, 1, map[string]string{"TestUserLabelsStillShow": "pass"})
	})
	t.Run("leak", func(t *testing.T) {
		run := runGoTest(t, "ownstacks", []string{"OWNSTACKS_LEAK=1"}, "-run", "TestLeakStillCaught")
		run.requireOutcomes(t, 1, map[string]string{"TestLeakStillCaught": "fail"})
		out := run.output["TestLeakStillCaught"]
		require.Equal(t, 1, countReports(out, "TestLeakStillCaught", "1 goroutine"), out)
		require.True(t, strings.Contains(out, "ownstacks.TestLeakStillCaught.func1.1"), out)
	})
}
