package leakcheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The baseline where README's commands put it, under testdata, stays out
// of the way of a test that lists its package directory (as fasthttp's
// file server tests do): recorded and checked, the suite passes. Recorded
// in the package directory itself, the recording says to move it, and
// the listing test trips on it.
func TestBaselineUnderTestdata(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "e2e", "listdir"))
	require.NoError(t, err)
	inTestdata := filepath.Join(dir, "testdata", "leakcheck.baseline")
	inPackage := filepath.Join(dir, "leakcheck.baseline")
	t.Cleanup(func() {
		os.RemoveAll(filepath.Join(dir, "testdata"))
		os.Remove(inPackage)
	})

	record := runGoTest(t, "listdir", []string{"LEAKCHECK_BASELINE=" + inTestdata, "LEAKCHECK_BASELINE_UPDATE=1"}, "-count=3", "-shuffle=on")
	record.requireOutcomes(t, 3, map[string]string{"TestListsItsDirectory": "pass", "TestNewLeak": "pass"})
	require.FileExists(t, inTestdata)
	assert.Contains(t, record.raw, "added 1 kind to the baseline "+inTestdata)
	assert.NotContains(t, record.raw, "keep it under testdata")
	check := runGoTest(t, "listdir", []string{"LEAKCHECK_BASELINE=" + inTestdata}, "-count=2", "-shuffle=on")
	check.requireOutcomes(t, 2, map[string]string{"TestListsItsDirectory": "pass", "TestNewLeak": "pass"})
	assert.Equal(t, 0, check.exitCode, check.raw)

	record = runGoTest(t, "listdir", []string{"LEAKCHECK_BASELINE=" + inPackage, "LEAKCHECK_BASELINE_UPDATE=1"})
	assert.Equal(t, 1, strings.Count(record.raw, "is in a directory of Go source files"), "said once\n%s", record.raw)
	assert.Contains(t, record.raw, "keep it under testdata, which Go's tools and tests leave alone: LEAKCHECK_BASELINE="+inTestdata)
	check = runGoTest(t, "listdir", []string{"LEAKCHECK_BASELINE=" + inPackage})
	check.requireOutcomes(t, 1, map[string]string{"TestListsItsDirectory": "fail"})
	assert.Contains(t, check.output["TestListsItsDirectory"], "the package directory holds leakcheck.baseline")
}
