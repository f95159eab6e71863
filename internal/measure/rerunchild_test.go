package measure

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rerun that reproduced part of a leak publishes what it measured,
// says of how many goroutines, and names each kind by its state and
// function, not by its fingerprint alone: in its text, framed as the
// test's output, in the JSON records, and in the profile.
func TestRerunPublishesWhatItReproduced(t *testing.T) {
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(t, err)
	req.st = testState
	dir := t.TempDir()
	groups := []*publish.Group{
		{Test: "TestX/sub", Fingerprint: "0123456789abcdef", Goroutines: []*stack.Goroutine{{ID: 7, State: "chan send"}, {ID: 8, State: "chan send"}}},
		{Test: "TestX/sub", Fingerprint: "fedcba9876543210", Goroutines: []*stack.Goroutine{{ID: 9, State: "select"}}},
	}
	req.Profile, err = publish.WriteProfile(dir, "leak", groups, "TestX/sub", nil)
	require.NoError(t, err)
	req.JSON = filepath.Join(dir, "leaks.jsonl")
	req.Records = publish.JSONRecords(groups, "TestX/sub", 0, req.Profile, nil)
	res := &rerunResult{HeapBytes: 1 << 20, Kinds: []rerunHeld{{
		rerunKind:  rerunKind{Test: "TestX/sub", Fingerprint: "0123456789abcdef", Count: 1},
		StackBytes: 2048, HeapBytes: 1 << 20,
	}}}

	var out bytes.Buffer
	req.publish(&out, res)
	assert.Equal(t, "\x16=== NAME  TestX/sub\n"+
		"    leakcheck: memory held by the leaks of TestX/sub, measured in a heap dump of a rerun of TestX/sub in a new process: 1.0 MiB\n"+
		"        \"chan send\" in pkg.f [0123456789abcdef], measured on 1 of its 2 goroutines (no more came back in the rerun within 2s):"+
		" holds 1.0 MiB: 2.0 KiB of stack, 1.0 MiB of heap nothing else reaches\n"+
		"        \"select\" in pkg.g [fedcba9876543210]: not measured: none of its 1 goroutine came back in the rerun within 2s\n", out.String())

	records := readRecords(t, req.JSON)
	require.Len(t, records, 2)
	require.NotNil(t, records[0].RetainedHeapBytes)
	assert.Equal(t, uint64(1<<20), *records[0].RetainedHeapBytes)
	require.NotNil(t, records[0].MeasuredCount)
	assert.Equal(t, 1, *records[0].MeasuredCount)
	assert.Equal(t, 2, records[0].Count)
	assert.Nil(t, records[1].RetainedHeapBytes)
	assert.Equal(t, "none of its goroutines came back in the rerun within 2s", records[1].MemoryNotMeasured)

	data, err := os.ReadFile(req.Profile)
	require.NoError(t, err)
	p, err := profile.ParseData(data)
	require.NoError(t, err)
	require.Len(t, p.SampleType, 2)
	assert.Equal(t, "held", p.SampleType[1].Type)
	held := map[string]int64{}
	for _, s := range p.Sample {
		held[s.Label["fingerprint"][0]] += s.Value[1]
	}
	assert.Equal(t, map[string]int64{"0123456789abcdef": 2048 + 1<<20, "fedcba9876543210": 0}, held)
}

// A rerun that measured nothing says why, in its text and in every
// record, and leaves the profile as it was.
func TestRerunPublishesWhyNot(t *testing.T) {
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(t, err)
	req.st = testState
	req.Frame = ""
	req.JSON = filepath.Join(t.TempDir(), "leaks.jsonl")
	req.Records = []publish.JSONRecord{{Test: "TestX/sub"}, {Test: "TestX/sub"}}
	req.Records[0].Fingerprint, req.Records[1].Fingerprint = "0123456789abcdef", "fedcba9876543210"
	var out bytes.Buffer
	req.publish(&out, &rerunResult{Skipped: "the rerun did not reproduce the leak"})
	assert.Equal(t, "    leakcheck: memory held by the leaks of TestX/sub: not measured: the rerun did not reproduce the leak.\n", out.String())
	for _, rec := range readRecords(t, req.JSON) {
		assert.Equal(t, "the rerun did not reproduce the leak", rec.MemoryNotMeasured)
		assert.Nil(t, rec.StackBytes)
	}
}

func readRecords(t *testing.T, path string) []publish.JSONRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var records []publish.JSONRecord
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec publish.JSONRecord
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		records = append(records, rec)
	}
	return records
}
