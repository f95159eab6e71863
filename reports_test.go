package leakcheck_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A pool not released leaks two loops of two kinds: the report suggests
// one narrow option per kind, by each loop's own function (never the
// pool's constructor, which would hide every later leak of the pool), and
// applying exactly what it suggests makes the test pass.
func TestReportIgnoreCoversEveryKind(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "pool", nil, "-run=^TestPoolNotReleased$")
	run.requireOutcomes(t, 1, map[string]string{"TestPoolNotReleased": "fail"})
	out := run.output["TestPoolNotReleased"]
	const pkg = "github.com/leakcheck/leakcheck/testdata/e2e/pool"
	assert.Contains(t, out, "leaked 2 goroutines (2 kinds)")
	assert.Contains(t, out, "A loop on a ticker never ends, however long the check waits: stop it before the test ends."+
		" Only goroutines that wind down on a timer longer than 300ms need more time")
	suggestion := regexp.MustCompile(`To accept them on purpose, use the options (.*) \(together they ignore the 2 kinds above`).FindStringSubmatch(out)
	require.NotNil(t, suggestion, out)
	assert.NotContains(t, suggestion[1], "IgnoreCreatedBy")
	var specs []string
	for _, m := range regexp.MustCompile(`leakcheck\.(\w+)\("([^"]+)"\)`).FindAllStringSubmatch(suggestion[1], -1) {
		specs = append(specs, m[1]+":"+m[2])
	}
	assert.ElementsMatch(t, []string{"IgnoreTopFunction:" + pkg + ".(*Pool).purgeStaleWorkers", "IgnoreTopFunction:" + pkg + ".(*Pool).ticktock"}, specs)

	ignored := runGoTest(t, "pool", []string{"E2E_IGNORE=" + strings.Join(specs, ",")}, "-run=^TestPoolNotReleased$")
	ignored.requireOutcomes(t, 1, map[string]string{"TestPoolNotReleased": "pass"})
}

// A goroutine that yields in a loop is running, not blocked, and no wait
// ends it: the report says so rather than "blocked in: runtime.Gosched".
func TestReportSpinningIsRunning(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "pool", nil, "-run=^TestSpinning$")
	run.requireOutcomes(t, 1, map[string]string{"TestSpinning": "fail"})
	out := run.output["TestSpinning"]
	assert.NotContains(t, out, "blocked in:")
	assert.Contains(t, out, "running in: ")
	if strings.Contains(out, "running in: runtime.Gosched") {
		assert.Contains(t, out, "yielding in runtime.Gosched and running again, a loop that never blocks and keeps a CPU busy")
		assert.Contains(t, out, "No wait ends a loop that never blocks")
	} else { // caught between two calls
		assert.Contains(t, out, "running (burning a CPU, or just woken)")
	}
	assert.NotContains(t, out, "MaxWaitSleeping gives")
}

// Loops on tickers that were still selecting when MaxWaitSleeping ran
// out: the report says no longer wait would help, instead of offering
// one.
func TestReportTickerLoopsNoLongerWait(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "pool", []string{"E2E_SLEEPING=1"}, "-run=^TestPoolNotReleased$")
	run.requireOutcomes(t, 1, map[string]string{"TestPoolNotReleased": "fail"})
	out := run.output["TestPoolNotReleased"]
	assert.Contains(t, out, "This check waited its 1s (MaxWaitSleeping) for them")
	assert.Contains(t, out, "they are most likely loops on a ticker or a sleep that never end, which no longer wait helps")
	assert.NotContains(t, out, "MaxWaitSleeping gives")
}

// A select nothing can wake: where the runtime proves leaks, the check
// fails at once; where it cannot (go1.26 without the experiment), the
// check waits MaxWaitSleeping, and says why and what would fail it at
// once.
func TestReportMaxWaitSleepingExplained(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "pool", []string{"E2E_SLEEPING=1"}, "-run=^TestForever$")
	run.requireOutcomes(t, 1, map[string]string{"TestForever": "fail"})
	out := run.output["TestForever"]
	if leakcheck.CanProveLeaks() {
		assert.Contains(t, out, "proven leaked by the runtime")
		assert.NotContains(t, out, "This check waited")
		return
	}
	assert.Contains(t, out, "This check waited its 1s (MaxWaitSleeping) for them: 1 kind the runtime could not prove leaked, waiting where a timer may wake them")
	assert.Contains(t, out, "It waited MaxWaitSleeping rather than MaxWait because every goroutine left might still wind down on its own,"+
		" and this runtime cannot prove leaks: to it, a select that nothing can ever wake looks like one waiting for a timer."+
		" On go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile, the runtime proves such a goroutine leaked and the check fails at once.")
}

// A baseline recorded with another Go: its keys, made of the program's
// own frames, still match, so the suite stays green; a new leak's report
// says once that the file came from another Go, with the command that
// records it again, and so do its JSON lines.
func TestBaselineFromAnotherGo(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "a baseline shared by two toolchains (test binaries know their package from go1.24 on)")
	other := "go1.27.4"
	if strings.HasPrefix(runtime.Version(), "go1.27") {
		other = "go1.26.8"
	}
	if out, err := exec.Command("env", "GOTOOLCHAIN="+other, "go", "version").CombinedOutput(); err != nil || !strings.Contains(string(out), other) {
		t.Skipf("toolchain %s not available: %v %s", other, err, out)
	}
	baseline := filepath.Join(t.TempDir(), "leakcheck.baseline")
	jsonPath := filepath.Join(t.TempDir(), "leaks.json")
	record := runGoTest(t, "pool", []string{"GOTOOLCHAIN=" + other, "GOFLAGS=-mod=mod", "LEAKCHECK_BASELINE=" + baseline, "LEAKCHECK_BASELINE_UPDATE=1"},
		"-run=^(TestPoolNotReleased|TestForever)$")
	require.Equal(t, 0, record.exitCode, record.raw)
	data, err := os.ReadFile(baseline)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\n# recorded with "+other+"\n")

	check := runGoTest(t, "pool", []string{"LEAKCHECK_BASELINE=" + baseline}, "-run=^(TestPoolNotReleased|TestForever)$")
	check.requireOutcomes(t, 1, map[string]string{"TestPoolNotReleased": "pass", "TestForever": "pass"})
	assert.NotContains(t, check.raw, "was recorded with")

	fail := runGoTest(t, "pool", []string{"LEAKCHECK_BASELINE=" + baseline, "LEAKCHECK_JSON=" + jsonPath}, "-run=^(TestPoolNotReleased|TestForever|TestSpinning)$")
	fail.requireOutcomes(t, 1, map[string]string{"TestPoolNotReleased": "pass", "TestForever": "pass", "TestSpinning": "fail"})
	out := fail.output["TestSpinning"]
	assert.Contains(t, out, "was recorded with "+other+", and this is "+runtime.Version()+": where the change of Go altered what a kind of goroutine runs,"+
		" it fails as a new leak. To add this Go's kinds to the file, record again with it:\n")
	assert.Contains(t, out, " LEAKCHECK_BASELINE="+baseline+" LEAKCHECK_BASELINE_UPDATE=1 go test -count=20 -shuffle=on ./...\n")
	assert.Equal(t, 1, strings.Count(fail.raw, "was recorded with"), "said once")

	f, err := os.Open(jsonPath)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	records := 0
	for sc.Scan() {
		var rec struct {
			Test       string `json:"test"`
			BaselineGo string `json:"baseline_go"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
		assert.Equal(t, other, rec.BaselineGo, rec.Test)
		records++
	}
	assert.Equal(t, 1, records)
}
