package leakcheck_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heldPattern reads a group's memory line of the report.
var heldPattern = regexp.MustCompile(`holds ([0-9.]+) (B|KiB|MiB|GiB): ([0-9.]+) (B|KiB|MiB|GiB) of stack, ([0-9.]+) (B|KiB|MiB|GiB) of heap nothing else reaches`)

func bytesOf(t *testing.T, n, unit string) float64 {
	v, err := strconv.ParseFloat(n, 64)
	require.NoError(t, err)
	switch unit {
	case "KiB":
		v *= 1 << 10
	case "MiB":
		v *= 1 << 20
	case "GiB":
		v *= 1 << 30
	}
	return v
}

// A memoryCase is a test of testdata/e2e/memory whose leak holds known
// memory.
type memoryCase struct {
	test      string
	heap      float64 // bytes held alone
	allocated string  // where the largest object was allocated, if sampled
}

const MiB = 1 << 20

// memoryCases are the five shapes of leak: a buffer, a buffer a global
// also holds (nothing the leak's alone), many small buffers, a linked
// list, a value blocked in a send.
var memoryCases = []memoryCase{
	{"TestHoldsBufferAlone", 48 * MiB, "memory_test.go:49"},
	{"TestBufferAlsoHeldByGlobal", 0, ""},
	{"TestManySmallHolders", 62.5 * MiB, ""},
	{"TestLinkedListAlone", 10000 * 1016, ""},
	{"TestValueBlockedInSend", 16 * MiB, "memory_test.go:101"},
}

// heldTolerance is how far, relatively, a figure may be from what the
// test allocated.
const heldTolerance = 0.03

// Each report says how much heap its leak holds alone, within a few
// percent of what the test allocated, and where the largest object was
// allocated; memory also held by a global does not count.
func TestReportedMemory(t *testing.T) {
	for _, c := range memoryCases {
		t.Run(c.test, func(t *testing.T) {
			t.Parallel()
			jsonPath := filepath.Join(t.TempDir(), "leaks.jsonl")
			run := runGoTest(t, "memory", []string{"E2E_MEMORY=" + c.test, "LEAKCHECK_JSON=" + jsonPath, "LEAKCHECK_PROFILE_DIR=" + t.TempDir()}, "-run=^"+c.test+"$")
			require.Equal(t, []string{"fail"}, run.results[c.test], run.raw)
			records := readHeldRecords(t, jsonPath)
			require.Len(t, records, 1)
			checkHeld(t, c, run.output[c.test], records[c.test])
		})
	}
}

// In one test binary where the runtime proves every leak (go1.27, go1.26
// with GOEXPERIMENT=goroutineleakprofile), so that no heap dump of it is
// possible after the first, each leak is measured in a rerun of its test,
// as well as in a process without proofs, whatever the order of the
// tests; without proofs, in the process itself.
func TestReportedMemoryOfProvenLeaks(t *testing.T) {
	t.Parallel()
	jsonPath := filepath.Join(t.TempDir(), "leaks.jsonl")
	var names []string
	for _, c := range memoryCases {
		names = append(names, c.test)
	}
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=all", "E2E_MEMORY_PROVEN=1", "LEAKCHECK_JSON=" + jsonPath, "LEAKCHECK_PROFILE_DIR=" + t.TempDir()},
		"-run=^("+strings.Join(names, "|")+")$", "-shuffle=on")
	records := readHeldRecords(t, jsonPath)
	require.Len(t, records, len(memoryCases), run.raw)
	for _, c := range memoryCases {
		t.Run(c.test, func(t *testing.T) {
			require.Equal(t, []string{"fail"}, run.results[c.test], run.raw)
			out := run.output[c.test]
			checkHeld(t, c, out, records[c.test])
			if canProve() {
				assert.Contains(t, out, "proven leaked by the runtime")
				assert.Contains(t, out, "measured in a heap dump of a rerun of "+c.test+" in a new process")
			} else {
				assert.NotContains(t, out, "rerun")
			}
		})
	}
}

// A heldRecord is the part of a LEAKCHECK_JSON line about memory.
type heldRecord struct {
	Test              string  `json:"test"`
	Profile           string  `json:"profile"`
	StackBytes        *uint64 `json:"stack_bytes"`
	RetainedHeapBytes *uint64 `json:"retained_heap_bytes"`
	Largest           []struct {
		Bytes uint64 `json:"bytes"`
		File  string `json:"file"`
		Line  int    `json:"line"`
	} `json:"largest"`
}

// readHeldRecords reads the JSON lines at path, by test.
func readHeldRecords(t *testing.T, path string) map[string]heldRecord {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	records := make(map[string]heldRecord)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec heldRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
		records[rec.Test] = rec
	}
	require.NoError(t, sc.Err())
	return records
}

// checkHeld checks what the report (out), the JSON line and the profile
// it names say c's leak holds.
func checkHeld(t *testing.T, c memoryCase, out string, rec heldRecord) {
	t.Helper()
	m := heldPattern.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	heap := bytesOf(t, m[5], m[6])
	if c.heap == 0 {
		assert.Less(t, heap, float64(64<<10), "a buffer a global also holds is not the leak's")
	} else {
		assert.InEpsilon(t, c.heap, heap, heldTolerance, out)
	}
	if c.allocated != "" {
		assert.Regexp(t, `\(largest: [0-9.]+ MiB allocated at `+regexp.QuoteMeta(c.allocated), out)
	}

	require.NotNil(t, rec.RetainedHeapBytes, out)
	require.NotNil(t, rec.StackBytes)
	assert.Positive(t, *rec.StackBytes)
	if c.heap == 0 {
		assert.Less(t, *rec.RetainedHeapBytes, uint64(64<<10))
	} else {
		assert.InEpsilon(t, c.heap, float64(*rec.RetainedHeapBytes), heldTolerance)
		require.NotEmpty(t, rec.Largest)
	}
	if c.allocated != "" {
		assert.Equal(t, c.allocated, filepath.Base(rec.Largest[0].File)+":"+strconv.Itoa(rec.Largest[0].Line))
	}

	// The profile's "held" values add up to what the group holds.
	require.NotEmpty(t, rec.Profile)
	pf, err := os.Open(rec.Profile)
	require.NoError(t, err)
	defer pf.Close()
	p, err := profile.Parse(pf)
	require.NoError(t, err)
	require.Len(t, p.SampleType, 2)
	require.Equal(t, "held", p.SampleType[1].Type)
	var held int64
	for _, s := range p.Sample {
		held += s.Value[1]
	}
	assert.Equal(t, int64(*rec.StackBytes+*rec.RetainedHeapBytes), held)
}

// A leak the runtime proves is measured in a rerun of its test; without
// proofs, in the process.
func TestReportedMemoryOfProvenLeak(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestProvenLeak", "TMPDIR=" + tmp}, "-run=^TestProvenLeak$")
	require.Equal(t, []string{"fail"}, run.results["TestProvenLeak"], run.raw)
	assertNoRerunDirs(t, tmp)
	out := run.output["TestProvenLeak"]
	assert.Contains(t, out, "holds 8.0 MiB: ")
	if canProve() {
		// The verdict first, the figures after it.
		assert.Less(t, strings.Index(run.raw, "--- FAIL: TestProvenLeak"), strings.Index(run.raw, "leakcheck: memory held by the leaks of TestProvenLeak, measured"), run.raw)
		assert.Contains(t, out, "proven leaked by the runtime")
		assert.Contains(t, out, "Memory held by the leaked goroutines: measured in a rerun of TestProvenLeak in a new process"+
			" (this process's heap dump cannot include goroutines the runtime has proven leaked), which does not hold this failure back:"+
			` its figures follow as "leakcheck: memory held by the leaks of TestProvenLeak".`)
		assert.Contains(t, out, "leakcheck: memory held by the leaks of TestProvenLeak, measured in a heap dump of a rerun of TestProvenLeak in a new process: 8.0 MiB\n"+
			`        "chan receive" in github.com/leakcheck/leakcheck/testdata/e2e/memory.hold [`)
	}
}

// assertNoRerunDirs checks that the reruns removed their temporary
// directories from tmp, the TMPDIR of a go test run that has ended: the
// test binary has usually exited before its reruns end, so they remove
// their own.
func assertNoRerunDirs(t *testing.T, tmp string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(tmp, "leakcheck-rerun-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "the reruns' temporary directories")
}

// A test that leaks only after another test ran in the same process
// (state in a package variable) does not leak when rerun alone: where the
// runtime proves its leak, the report says the rerun did not reproduce
// it, and the test fails all the same. Without proofs it is measured in
// the process.
func TestRerunNotReproduced(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=all", "E2E_MEMORY_PROVEN=1", "TMPDIR=" + tmp}, "-run=^(TestWarmUp|TestLeaksAfterWarmUp)$")
	run.requireOutcomes(t, 1, map[string]string{"TestWarmUp": "pass", "TestLeaksAfterWarmUp": "fail"})
	assertNoRerunDirs(t, tmp)
	out := run.output["TestLeaksAfterWarmUp"]
	assert.Equal(t, 1, countReports(out, "TestLeaksAfterWarmUp", "1 goroutine"), out)
	if canProve() {
		// The rerun waited 5 s for the leak; the verdict did not.
		assert.Less(t, strings.Index(run.raw, "--- FAIL: TestLeaksAfterWarmUp"), strings.Index(run.raw, "leakcheck: memory held by the leaks of TestLeaksAfterWarmUp: not measured"), run.raw)
		assert.Contains(t, out, "leakcheck: memory held by the leaks of TestLeaksAfterWarmUp: not measured:"+
			" the rerun did not reproduce the leak (no goroutine of its 1 kind came back within ")
		assert.NotContains(t, out, "holds ")
	} else {
		assert.Contains(t, out, "holds 8.0 MiB: ")
	}
}

// A rerun that reproduces one of the two goroutines of a kind measures
// that one, and says so in the text and the JSON line; without proofs,
// both are measured in the process.
func TestRerunReproducesPart(t *testing.T) {
	t.Parallel()
	jsonPath := filepath.Join(t.TempDir(), "leaks.jsonl")
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=all", "E2E_MEMORY_PROVEN=1", "LEAKCHECK_JSON=" + jsonPath},
		"-run=^(TestWarmUp|TestLeaksMoreAfterWarmUp)$")
	run.requireOutcomes(t, 1, map[string]string{"TestWarmUp": "pass", "TestLeaksMoreAfterWarmUp": "fail"})
	out := run.output["TestLeaksMoreAfterWarmUp"]
	assert.Contains(t, out, "leakcheck: TestLeaksMoreAfterWarmUp leaked 2 goroutines")
	var rec struct {
		Count         int     `json:"count"`
		MeasuredCount *int    `json:"measured_count"`
		Heap          *uint64 `json:"retained_heap_bytes"`
	}
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rec), string(data))
	assert.Equal(t, 2, rec.Count)
	require.NotNil(t, rec.Heap, string(data))
	if canProve() {
		assert.Regexp(t, `"chan receive" in github.com/leakcheck/leakcheck/testdata/e2e/memory.hold \[[0-9a-f]{16}\],`+
			` measured on 1 of its 2 goroutines \(no more came back in the rerun within [0-9.]+m?s\): holds 2.0 MiB: `, out)
		require.NotNil(t, rec.MeasuredCount, string(data))
		assert.Equal(t, 1, *rec.MeasuredCount)
		assert.InEpsilon(t, 2*MiB, float64(*rec.Heap), heldTolerance)
	} else {
		assert.Contains(t, out, "holds 4.0 MiB: ")
		assert.Nil(t, rec.MeasuredCount)
	}
}

// Subtests whose names the testing package rewrites (spaces, repeats,
// several levels) or that read as regular expressions are each rerun
// alone and measured, also in parallel, repeated, shuffled, and under go
// test -json: the reruns' output never reaches the test binary's.
func TestRerunSubtestNames(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=all", "E2E_MEMORY_PROVEN=1"}, "-run=^TestNames$", "-count=2", "-shuffle=on")
	// The subtests leak 1, 2, 4, 5 and 6 MiB; "dup" (3 MiB) leaks nothing
	// the first time, the second "dup" leaks 4 MiB.
	want := map[string]string{
		"with_space":   "1.0 MiB",
		"a+b(c)[d]|e$": "2.0 MiB",
		"x/y":          "5.0 MiB",
		"ünï.*":        "6.0 MiB",
	}
	names := map[string]string{}
	for name, held := range want {
		names["TestNames/"+name] = held
	}
	names["TestNames/dup#01"] = "4.0 MiB"
	for name, held := range names {
		require.Equal(t, []string{"fail", "fail"}, run.results[name], "%s\n%s", name, run.raw)
		out := run.output[name]
		assert.Contains(t, out, "holds "+held+": ", name)
		if canProve() {
			assert.Contains(t, out, "measured in a heap dump of a rerun of "+name+" in a new process", name)
		}
	}
	assert.Equal(t, []string{"pass", "pass"}, run.results["TestNames/dup"])
	// Each subtest logs once per run: 6 subtests, twice.
	assert.Equal(t, 12, strings.Count(run.raw, "leaking "), run.raw)
}

// The package check of VerifyTestMain measures too: where the runtime
// proves the leaks, in a rerun of the tests (all of them, as no test is
// named for a timer's goroutine), which runs TestMain again, whose output
// never reaches the test binary's.
func TestPackageCheckMemory(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memorymain", nil, "-shuffle=on")
	out := run.output[""]
	// In the report; where the runtime proves the leaks, in the rerun's
	// figures that follow it, kind by kind.
	held := map[string]string{
		"TestLeaksBuffer": `started by: \S+\.TestLeaksBuffer .*\n\s+holds `,
		"TestLeaksMany":   `started by: \S+\.TestLeaksMany .*\n\s+holds `,
		"timer":           `started by: time\.goFunc .*\n\s+holds `,
	}
	if canProve() {
		assert.Contains(t, out, "leakcheck: the tests of memorymain leaked 102 goroutines (3 kinds)\n")
		assert.Contains(t, out, "leakcheck: memory held by the leaks of the tests of memorymain, measured in a heap dump of a rerun of the tests in a new process: ")
		held = map[string]string{
			"TestLeaksBuffer": `\(test TestLeaksBuffer\): holds `,
			"TestLeaksMany":   `\(test TestLeaksMany\): holds `,
			"timer":           `memorymain.hold \[[0-9a-f]{16}\]: holds `,
		}
	} else {
		assert.Contains(t, out, "leakcheck: the tests of memorymain leaked 102 goroutines (3 kinds), holding ")
	}
	for kind, want := range map[string]float64{"TestLeaksBuffer": 24 * MiB, "TestLeaksMany": 100 * 64 << 10, "timer": 2 * MiB} {
		m := regexp.MustCompile(held[kind] + `([0-9.]+) (B|KiB|MiB|GiB): [0-9.]+ \S+ of stack, ([0-9.]+) (B|KiB|MiB|GiB) of heap`).FindStringSubmatch(out)
		require.NotNil(t, m, "%s\n%s", kind, out)
		assert.InEpsilon(t, want, bytesOf(t, m[3], m[4]), heldTolerance, kind)
	}
	assert.Equal(t, 1, strings.Count(out, "memorymain: setting up\n"), out)
	assert.Equal(t, 1, strings.Count(out, "memorymain: setting up, on standard error"), out)
}

// Find's error reports the memory too; where the runtime proves the leak,
// Find, which has no test to rerun, says why it could not measure.
func TestFindReportsMemory(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestFindHolds"}, "-run=^TestFindHolds$", "-v")
	out := run.output["TestFindHolds"]
	assert.Contains(t, out, "leakcheck: the program, checked by Find in TestFindHolds, leaked 1 goroutine, holding 4.0 MiB")
	assert.Regexp(t, `holds 4.0 MiB: [0-9.]+ KiB of stack, 4.0 MiB of heap nothing else reaches`, out)

	run = runGoTest(t, "memory", []string{"E2E_MEMORY=TestFindHolds", "E2E_MEMORY_PROVEN=1"}, "-run=^TestFindHolds$", "-v")
	out = run.output["TestFindHolds"]
	if canProve() {
		assert.Contains(t, out, "Memory held by the leaked goroutines: not measured: the runtime has proven goroutines of this process leaked,"+
			" and its heap dump cannot include them (runtime/debug.WriteHeapDump stops the program on their status);"+
			" only a test can be run again to measure it, in a new process.")
	} else {
		assert.Contains(t, out, "holds 4.0 MiB: ")
	}
}

// LEAKCHECK_MEMORY=off leaves the memory unmeasured and says so; a value
// that is neither on nor off is an error, and the memory is measured.
func TestMemoryEnv(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestHoldsBufferAlone", "LEAKCHECK_MEMORY=off"}, "-run=^TestHoldsBufferAlone$")
	out := run.output["TestHoldsBufferAlone"]
	assert.Contains(t, out, "Memory held by the leaked goroutines: not measured: LEAKCHECK_MEMORY is off.")
	assert.NotContains(t, out, "holds ")

	run = runGoTest(t, "memory", []string{"E2E_MEMORY=TestHoldsBufferAlone", "LEAKCHECK_MEMORY=later"}, "-run=^TestHoldsBufferAlone$")
	out = run.output["TestHoldsBufferAlone"]
	assert.Contains(t, out, `leakcheck: LEAKCHECK_MEMORY="later": use "off" to turn measuring the memory leaks hold off, or "on"`)
	assert.Contains(t, out, "holds 48.0 MiB")
}

// LEAKCHECK_RERUN, which leakcheck sets in its reruns, set to something
// else fails every check with an error saying so; the check still runs
// as usual and measures in the process.
func TestRerunEnvInvalid(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestHoldsBufferAlone", "LEAKCHECK_RERUN=/nonexistent/request.json"}, "-run=^TestHoldsBufferAlone$")
	require.Equal(t, []string{"fail"}, run.results["TestHoldsBufferAlone"], run.raw)
	out := run.output["TestHoldsBufferAlone"]
	assert.Contains(t, out, `leakcheck: LEAKCHECK_RERUN="/nonexistent/request.json": open /nonexistent/request.json: no such file or directory`+
		" (leakcheck sets this variable in the test binaries it reruns to measure leaks; unset it)")
	assert.Contains(t, out, "holds 48.0 MiB")
}
