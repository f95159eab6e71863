package heapdump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const MiB = 1 << 20

// runScenario runs a scenario in a helper process and returns what it
// measured; the dump stays in t's temporary directory.
func runScenario(t *testing.T, name string) helperOutput {
	t.Helper()
	t.Parallel() // each scenario is a process of its own
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, dirEnv+"="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "helper for %s: %s", name, stderr.String())
	var out helperOutput
	require.NoError(t, json.Unmarshal(stdout, &out), "helper output: %s", stdout)
	require.Len(t, out.Result.Groups, len(out.Groups))
	for k, g := range out.Result.Groups {
		require.Empty(t, g.Missing, "group %d", k)
		require.Equal(t, len(out.Groups[k]), g.Goroutines, "group %d", k)
		assert.NotZero(t, g.StackBytes, "group %d", k)
		assert.GreaterOrEqual(t, g.StackAllocatedBytes, g.StackBytes, "group %d", k)
	}
	t.Logf("%s: %s", name, describe(out.Result))
	return out
}

func describe(r *Result) string {
	var b strings.Builder
	for k, g := range r.Groups {
		fmt.Fprintf(&b, "\n  group %d: %s in %d objects, stack %d B in use of %d B", k, mib(g.RetainedHeapBytes), g.RetainedObjects, g.StackBytes, g.StackAllocatedBytes)
	}
	fmt.Fprintf(&b, "\n  together %s, shared %s, live %s", mib(r.RetainedHeapBytes), mib(r.SharedHeapBytes), mib(r.LiveHeapBytes))
	return b.String()
}

// assertNear checks that got is want within frac of want.
func assertNear(t *testing.T, want, got uint64, frac float64, msg string) {
	t.Helper()
	diff := float64(got) - float64(want)
	assert.LessOrEqual(t, abs(diff), frac*float64(want), "%s: got %s, want %s ± %.0f%%", msg, mib(got), mib(want), frac*100)
}

func TestAloneBuffer(t *testing.T) {
	out := runScenario(t, "alone")
	g := out.Result.Groups[0]
	assertNear(t, 48*MiB, g.RetainedHeapBytes, 0.01, "48 MiB held alone")
	require.NotEmpty(t, g.Largest)
	assert.Equal(t, uint64(48*MiB), g.Largest[0].Size)
	require.NotEmpty(t, g.Largest[0].Alloc, "the 48 MiB allocation was not sampled")
	site := g.Largest[0].Alloc[0]
	assert.True(t, strings.HasSuffix(site.File, "/scenarios_test.go"), "file %s", site.File)
	assert.Equal(t, out.AllocLine, site.Line)
	assert.True(t, strings.HasSuffix(site.Function, ".holdAlone"), "function %s", site.Function)
}

func TestBufferAlsoGlobal(t *testing.T) {
	g := runScenario(t, "global").Result.Groups[0]
	assert.Less(t, g.RetainedHeapBytes, uint64(64<<10), "a buffer a global also references is not held alone")
}

func TestThousandGoroutines(t *testing.T) {
	g := runScenario(t, "many").Result.Groups[0]
	assertNear(t, 1000*64<<10, g.RetainedHeapBytes, 0.02, "1000 × 64 KiB")
	assert.Equal(t, 1000, g.Goroutines)
}

func TestLinkedList(t *testing.T) {
	g := runScenario(t, "list").Result.Groups[0]
	assertNear(t, 10000*1024, g.RetainedHeapBytes, 0.02, "10,000 nodes of 1 KiB")
	assert.GreaterOrEqual(t, g.RetainedObjects, 10000)
}

func TestBlockedChannelSend(t *testing.T) {
	g := runScenario(t, "chansend").Result.Groups[0]
	assertNear(t, 16*MiB, g.RetainedHeapBytes, 0.01, "16 MiB in flight in a blocked send")
}

func TestDeadlockedMutex(t *testing.T) {
	g := runScenario(t, "mutex").Result.Groups[0]
	assertNear(t, 8*MiB, g.RetainedHeapBytes, 0.01, "8 MiB next to a mutex locked twice")
}

func TestSharedBetweenGroups(t *testing.T) {
	r := runScenario(t, "shared").Result
	for k, g := range r.Groups {
		assertNear(t, 4*MiB, g.RetainedHeapBytes, 0.01, "group "+itoa(k)+" alone")
	}
	assertNear(t, 8*MiB, r.SharedHeapBytes, 0.01, "shared by the two groups")
	assertNear(t, 16*MiB, r.RetainedHeapBytes, 0.01, "held by the two together")
}

// TestAllScenariosInOneDump measures every scenario in one dump, each
// group its own, and expects the same figures as one by one.
func TestAllScenariosInOneDump(t *testing.T) {
	r := runScenario(t, "all").Result
	want := []uint64{48 * MiB, 0, 1000 * 64 << 10, 10000 * 1024, 16 * MiB, 8 * MiB, 4 * MiB, 4 * MiB}
	require.Len(t, r.Groups, len(want))
	for k, w := range want {
		if w == 0 {
			assert.Less(t, r.Groups[k].RetainedHeapBytes, uint64(64<<10), "group %d", k)
			continue
		}
		assertNear(t, w, r.Groups[k].RetainedHeapBytes, 0.02, "group "+itoa(k))
	}
	assertNear(t, 8*MiB, r.SharedHeapBytes, 0.01, "shared")
}
