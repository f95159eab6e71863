package leakcheck_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const publishPkg = "github.com/leakcheck/leakcheck/testdata/e2e/publish"

// jsonFields are the documented fields of a LEAKCHECK_JSON record that
// these tests always get (they write a profile); memoryFields are there
// when the check measured the memory held, "largest" only when some
// object is held alone.
var (
	jsonFields = []string{
		"time", "package", "test", "check", "count", "fingerprint", "state", "proven",
		"wait_seconds", "check_seconds", "top", "created_by", "stack", "goroutine_ids", "profile",
	}
	memoryFields = []string{"stack_bytes", "retained_heap_bytes", "largest", "measured_count", "memory_not_measured"}
)

type jsonFrame struct {
	Function, File string
	Line           int
}

type jsonRecord struct {
	Package, Test, Check, Fingerprint, State, Stack, Profile string
	Count                                                    int
	Proven                                                   bool
	CheckSeconds                                             float64 `json:"check_seconds"`
	Top                                                      jsonFrame
	CreatedBy                                                jsonFrame `json:"created_by"`
	GoroutineIDs                                             []uint64  `json:"goroutine_ids"`
}

// readJSONLines decodes every line of a LEAKCHECK_JSON file, checking
// that each holds exactly the documented fields.
func readJSONLines(t *testing.T, path string) []jsonRecord {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var records []jsonRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &fields), sc.Text())
		var keys []string
		for k := range fields {
			keys = append(keys, k)
		}
		for _, k := range jsonFields {
			assert.Contains(t, keys, k, sc.Text())
		}
		for _, k := range keys {
			assert.True(t, slices.Contains(jsonFields, k) || slices.Contains(memoryFields, k), "undocumented field %q in %s", k, sc.Text())
		}
		var r jsonRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		records = append(records, r)
	}
	require.NoError(t, sc.Err())
	return records
}

func parseProfile(t *testing.T, path string) *profile.Profile {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	p, err := profile.Parse(f)
	require.NoError(t, err, path)
	require.NoError(t, p.CheckValid())
	return p
}

// stackFunctions lists the functions of a sample, innermost first.
func stackFunctions(s *profile.Sample) []string {
	var fns []string
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			fns = append(fns, l.Function.Name)
		}
	}
	return fns
}

// dumpFunctions lists the functions of a goroutine's block of the dump,
// innermost first, without the creator.
func dumpFunctions(stack string) []string {
	var fns []string
	for i, line := range strings.Split(stack, "\n") {
		if i == 0 || line == "" || strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "created by ") {
			continue
		}
		fn := line
		if j := strings.LastIndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		fns = append(fns, fn)
	}
	return fns
}

// A failing check writes a pprof profile and JSON lines holding exactly
// the leaked goroutines, and the report says where the profile is.
func TestProfileAndJSONOfLeaks(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, leakcheck.GoLabels, "the package of a leak (pprof labels in the dump)")
	dir := t.TempDir()
	profiles := filepath.Join(dir, "profiles")
	jsonPath := filepath.Join(dir, "ci", "leaks.jsonl")
	run := runGoTest(t, "publish", []string{"LEAKCHECK_MAX_WAIT=1s",
		"LEAKCHECK_PROFILE_DIR=" + profiles, "LEAKCHECK_JSON=" + jsonPath})
	require.NotZero(t, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{
		"TestLeakTwoKinds":                 "fail",
		"TestLeakNames":                    "fail",
		"TestLeakNames/../../escape_me/..": "fail",
		"TestClean":                        "pass",
	})

	entries, err := os.ReadDir(profiles)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"publish.TestLeakTwoKinds.pb.gz", "publish.TestLeakNames________escape_me___.pb.gz"}, names,
		"one profile per failing check, named safely inside the directory")
	var outside []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Dir(path) != profiles && path != jsonPath {
			outside = append(outside, path)
		}
		return nil
	})
	assert.Empty(t, outside, "files written elsewhere")

	records := readJSONLines(t, jsonPath)
	require.Len(t, records, 3, "one record per kind of leak per failing check")
	byState := map[string]jsonRecord{}
	for _, r := range records {
		assert.Equal(t, publishPkg, r.Package)
		assert.Equal(t, r.Test, r.Check)
		assert.Regexp(t, `^[0-9a-f]{16}$`, r.Fingerprint)
		assert.Len(t, r.GoroutineIDs, r.Count)
		assert.Equal(t, "publish_test.go", filepath.Base(r.Top.File))
		assert.Positive(t, r.Top.Line)
		assert.Positive(t, r.CreatedBy.Line)
		// MaxWait, or less where the runtime proves the leak (go1.27).
		assert.True(t, r.CheckSeconds >= 0 && r.CheckSeconds < 1.5, "check_seconds %v", r.CheckSeconds)
		assert.True(t, strings.HasPrefix(r.Stack, "goroutine "), r.Stack)
		assert.Contains(t, run.output[r.Test], "go tool pprof -http=: "+r.Profile, "the report names the profile")
		if r.Test == "TestLeakTwoKinds" {
			byState[r.State] = r
		}
	}
	send, sel := byState["chan send"], byState["select"]
	assert.Equal(t, 3, send.Count)
	assert.Equal(t, publishPkg+".sendForever", send.Top.Function)
	assert.Equal(t, publishPkg+".TestLeakTwoKinds", send.CreatedBy.Function)
	assert.Equal(t, 1, sel.Count)
	assert.Equal(t, publishPkg+".selectForever", sel.Top.Function)
	assert.NotEqual(t, send.Fingerprint, sel.Fingerprint)

	// The profile holds exactly the leaked stacks, with their counts and
	// labels, and agrees with the JSON records.
	p := parseProfile(t, filepath.Join(profiles, "publish.TestLeakTwoKinds.pb.gz"))
	require.NotEmpty(t, p.SampleType)
	assert.Equal(t, "goroutine", p.SampleType[0].Type)
	assert.Equal(t, "count", p.SampleType[0].Unit)
	if len(p.SampleType) > 1 { // the memory held, when measured
		require.Len(t, p.SampleType, 2)
		assert.Equal(t, "held", p.SampleType[1].Type)
		assert.Equal(t, "bytes", p.SampleType[1].Unit)
	}
	require.Len(t, p.Sample, 2)
	for _, s := range p.Sample {
		state := s.Label["state"][0]
		r, ok := byState[state]
		require.True(t, ok, "sample in state %q", state)
		assert.Equal(t, int64(r.Count), s.Value[0], state)
		assert.Equal(t, []string{"TestLeakTwoKinds"}, s.Label["test"])
		assert.Equal(t, []string{r.Fingerprint}, s.Label["fingerprint"])
		assert.Contains(t, []string{"true", "false"}, s.Label["proven"][0])
		assert.Equal(t, dumpFunctions(r.Stack), stackFunctions(s), "sample stack against the dump")
		leaf := s.Location[0].Line[0]
		assert.Equal(t, r.Top.Function, leaf.Function.Name)
		assert.Equal(t, r.Top.File, leaf.Function.Filename)
		assert.Equal(t, int64(r.Top.Line), leaf.Line)
	}
	total := int64(0)
	for _, s := range parseProfile(t, filepath.Join(profiles, "publish.TestLeakNames________escape_me___.pb.gz")).Sample {
		total += s.Value[0]
		assert.Equal(t, []string{"TestLeakNames/../../escape_me/.."}, s.Label["test"])
	}
	assert.Equal(t, int64(1), total)
}

// With go test -artifacts, the profile goes to the test's artifact
// directory without any configuration.
func TestProfileInArtifactDir(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.26", "go test -artifacts")
	out := t.TempDir()
	run := runGoTest(t, "publish", []string{"LEAKCHECK_MAX_WAIT=1s", "LEAKCHECK_PROFILE_DIR=", "LEAKCHECK_JSON="},
		"-artifacts", "-outputdir="+out, "-run=^TestLeakTwoKinds$")
	require.NotZero(t, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestLeakTwoKinds": "fail"})
	var found []string
	filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".pb.gz") {
			found = append(found, path)
		}
		return nil
	})
	require.Len(t, found, 1, run.raw)
	assert.Equal(t, "leak.pb.gz", filepath.Base(found[0]))
	assert.Contains(t, filepath.ToSlash(found[0]), "/_artifacts/")
	assert.Contains(t, run.output["TestLeakTwoKinds"], "go tool pprof -http=: "+found[0])
	var total int64
	for _, s := range parseProfile(t, found[0]).Sample {
		total += s.Value[0]
	}
	assert.Equal(t, int64(4), total)
}

// Without the variables or -artifacts, nothing is written and the report
// has no profile line.
func TestNoProfileByDefault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := runGoTest(t, "publish", []string{"LEAKCHECK_MAX_WAIT=0s", "LEAKCHECK_PROFILE_DIR=", "LEAKCHECK_JSON="},
		"-outputdir="+dir, "-run=^TestLeakTwoKinds$")
	run.requireOutcomes(t, 1, map[string]string{"TestLeakTwoKinds": "fail"})
	assert.NotContains(t, run.output["TestLeakTwoKinds"], "go tool pprof")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// VerifyTestMain's records name the test that started the goroutines,
// and repeated runs of the check append rather than overwrite.
func TestJSONFromVerifyTestMain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "leaks.jsonl")
	for range 2 {
		run := runGoTest(t, "testmain", []string{"E2E_LEAK=1", "LEAKCHECK_MAX_WAIT=1s",
			"LEAKCHECK_JSON=" + jsonPath, "LEAKCHECK_PROFILE_DIR=" + dir}, "-count=2")
		require.Equal(t, 1, run.exitCode, run.raw)
		assert.Contains(t, run.output[""], "go tool pprof -http=: ")
	}
	records := readJSONLines(t, jsonPath)
	require.Len(t, records, 2)
	for _, r := range records {
		assert.Equal(t, "TestLeaks", r.Test)
		assert.Equal(t, "the tests of testmain", r.Check)
		assert.Equal(t, 2, r.Count) // -count=2
		assert.Equal(t, "github.com/leakcheck/leakcheck/testdata/e2e/testmain.leakOnce", r.Top.Function)
		assert.Equal(t, "github.com/leakcheck/leakcheck/testdata/e2e/testmain.TestLeaks", r.CreatedBy.Function)
	}
	assert.Equal(t, records[0].Fingerprint, records[1].Fingerprint, "stable across runs")
	assert.NotEqual(t, records[0].Profile, records[1].Profile, "a new profile each run")
	for _, r := range records {
		assert.Equal(t, dir, filepath.Dir(r.Profile))
		assert.True(t, slices.Contains([]string{"testmain.TestMain.pb.gz", "testmain.TestMain.2.pb.gz"}, filepath.Base(r.Profile)), r.Profile)
	}
}
