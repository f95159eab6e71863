package leakcheck_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// Each report says how much heap its leak holds alone, within a few
// percent of what the test allocated, and where the largest object was
// allocated; memory also held by a global does not count.
func TestReportedMemory(t *testing.T) {
	const MiB = 1 << 20
	cases := []struct {
		test      string
		heap      float64 // bytes held alone
		tolerance float64 // relative
		allocated string  // where the largest object was allocated, if sampled
	}{
		{"TestHoldsBufferAlone", 48 * MiB, 0.03, "memory_test.go:38"},
		{"TestBufferAlsoHeldByGlobal", 0, 0, ""},
		{"TestManySmallHolders", 62.5 * MiB, 0.03, ""},
		{"TestLinkedListAlone", 10000 * 1016, 0.03, ""},
		{"TestValueBlockedInSend", 16 * MiB, 0.03, "memory_test.go:85"},
	}
	for _, c := range cases {
		t.Run(c.test, func(t *testing.T) {
			t.Parallel()
			jsonPath := filepath.Join(t.TempDir(), "leaks.jsonl")
			profileDir := t.TempDir()
			run := runGoTest(t, "memory", []string{"E2E_MEMORY=" + c.test, "LEAKCHECK_JSON=" + jsonPath, "LEAKCHECK_PROFILE_DIR=" + profileDir}, "-run=^"+c.test+"$")
			require.Equal(t, []string{"fail"}, run.results[c.test], run.raw)
			out := run.output[c.test]
			m := heldPattern.FindStringSubmatch(out)
			require.NotNil(t, m, out)
			heap := bytesOf(t, m[5], m[6])
			if c.heap == 0 {
				assert.Less(t, heap, float64(64<<10), "a buffer a global also holds is not the leak's")
			} else {
				assert.InEpsilon(t, c.heap, heap, c.tolerance, out)
			}
			if c.allocated != "" {
				assert.Regexp(t, `\(largest: [0-9.]+ MiB allocated at `+regexp.QuoteMeta(c.allocated), out)
			}

			f, err := os.Open(jsonPath)
			require.NoError(t, err)
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			require.True(t, sc.Scan(), "one JSON line")
			var rec struct {
				StackBytes        *uint64 `json:"stack_bytes"`
				RetainedHeapBytes *uint64 `json:"retained_heap_bytes"`
				Largest           []struct {
					Bytes uint64 `json:"bytes"`
					File  string `json:"file"`
					Line  int    `json:"line"`
				} `json:"largest"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
			require.NotNil(t, rec.RetainedHeapBytes)
			require.NotNil(t, rec.StackBytes)
			assert.Positive(t, *rec.StackBytes)
			if c.heap == 0 {
				assert.Less(t, *rec.RetainedHeapBytes, uint64(64<<10))
			} else {
				assert.InEpsilon(t, c.heap, float64(*rec.RetainedHeapBytes), c.tolerance)
				require.NotEmpty(t, rec.Largest)
			}
			if c.allocated != "" {
				assert.Equal(t, c.allocated, filepath.Base(rec.Largest[0].File)+":"+strconv.Itoa(rec.Largest[0].Line))
			}

			// The profile's "held" values add up to what the group holds.
			files, err := filepath.Glob(filepath.Join(profileDir, "*.pb.gz"))
			require.NoError(t, err)
			require.Len(t, files, 1)
			pf, err := os.Open(files[0])
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
		})
	}
}

// Once the runtime has proven a goroutine leaked, a heap dump cannot be
// taken (runtime/debug.WriteHeapDump stops the program on the leaked
// status); the report says the memory was not measured and why, and the
// check fails as it should. Without proofs, the memory is measured.
func TestReportedMemoryOfProvenLeak(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestProvenLeak"}, "-run=^TestProvenLeak$")
	require.Equal(t, []string{"fail"}, run.results["TestProvenLeak"], run.raw)
	out := run.output["TestProvenLeak"]
	if canProve() {
		assert.Contains(t, out, "proven leaked by the runtime")
		assert.Contains(t, out, "Memory held by the leaked goroutines: not measured: the runtime has proven goroutines of this process leaked")
		assert.NotContains(t, out, "holds ")
	} else {
		assert.Contains(t, out, "holds 8.0 MiB: ")
	}
}

// Find's error reports the memory too.
func TestFindReportsMemory(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "memory", []string{"E2E_MEMORY=TestFindHolds"}, "-run=^TestFindHolds$", "-v")
	out := run.output["TestFindHolds"]
	assert.Contains(t, out, "leakcheck: the program leaked 1 goroutine, holding 4.0 MiB")
	assert.Regexp(t, `holds 4.0 MiB: [0-9.]+ KiB of stack, 4.0 MiB of heap nothing else reaches`, out)
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
