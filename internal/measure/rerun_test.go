package measure

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each level of the pattern matches the same level of the name, and only
// it, as the testing package applies it.
func TestExactTestPattern(t *testing.T) {
	for _, name := range []string{
		"TestX",
		"TestX/with_space",
		"TestX/a+b(c)[d]|e$",
		"TestX/dup#01",
		"TestX/x/y",
		"TestX/ünï.*",
		`TestX/back\slash`,
		"TestX/^anchored$/{1,2}",
	} {
		levels := strings.Split(name, "/")
		patterns := strings.Split(exactTestPattern(name), "/")
		require.Len(t, patterns, len(levels), name)
		for i, p := range patterns {
			re := regexp.MustCompile(p)
			assert.True(t, re.MatchString(levels[i]), "%s: %s", name, p)
			for _, other := range []string{levels[i] + "x", "x" + levels[i], levels[i] + "#01", ""} {
				assert.False(t, re.MatchString(other), "%s: %s matches %q", name, p, other)
			}
		}
	}
}

// A rerun runs once, in order, without the fuzzer, and writes none of
// this run's files; the test package's own flags and those that change
// what a test does go along.
func TestCarriedFlags(t *testing.T) {
	for _, name := range []string{"test.short", "test.parallel", "test.memprofilerate", "update", "integration.db"} {
		assert.True(t, carriedFlag(name), name)
	}
	for _, name := range []string{
		"test.count", "test.shuffle", "test.run", "test.skip", "test.bench", "test.fuzz", "test.fuzzworker",
		"test.v", "test.json", "test.timeout", "test.cpu", "test.failfast", "test.list", "test.paniconexit0",
		"test.coverprofile", "test.gocoverdir", "test.testlogfile", "test.cpuprofile", "test.memprofile",
		"test.blockprofile", "test.mutexprofile", "test.trace", "test.outputdir", "test.artifacts",
	} {
		assert.False(t, carriedFlag(name), name)
	}
	args := childArgs([]string{"-test.run=^TestX$"})
	assert.Contains(t, args, "-test.run=^TestX$")
	assert.Contains(t, args, "-test.count=1")

	r := &Rerun{}
	assert.Equal(t, []string{"-test.run=^(?:TestA|TestB\\.x)$"},
		r.selection([]*publish.Group{{Test: "TestB.x/sub"}, {Test: "TestA"}, {Test: "TestB.x"}}))
	assert.Equal(t, []string{"-test.run=" + flag.Lookup("test.run").Value.String(), "-test.skip=" + flag.Lookup("test.skip").Value.String()},
		r.selection([]*publish.Group{{Test: "TestA"}, {Test: ""}}), "a leak with no test's name: the tests this run chose")
}

// rerunHelperEnv tells TestRerunHelper, run as a rerun by the tests
// below, what to do.
const rerunHelperEnv = "LEAKCHECK_TEST_RERUN_HELPER"

// TestRerunHelper is the test the tests below rerun; it does nothing
// unless rerunHelperEnv says.
func TestRerunHelper(t *testing.T) {
	switch os.Getenv(rerunHelperEnv) {
	case "":
		t.Skip("run by the rerun tests")
	case "exit":
		fmt.Println("setup failed: the database is down")
		os.Exit(3)
	case "sleep":
		time.Sleep(time.Minute)
	case "clean":
		// The check of a test that leaks nothing, in a rerun.
		testState.CheckTest(t, func(*runtimeread.Snapshot) []*publish.Group { return nil })
	case "introspect":
		fmt.Printf("rerun=%v reruns=%v proves=%v request=%q\n",
			testState.IsRerun(), testState.RerunOfTest(t, time.Now(), 0) != nil, testState.Reader.ProveLeaks(true), os.Getenv(rerunEnv))
		os.Exit(4)
	}
}

// rerunHelper starts a rerun of TestRerunHelper, doing what the helper
// is told, for a kind of leak it never has, and returns what the rerun
// published, or fails the test after a minute.
func rerunHelper(t *testing.T, do string) string {
	t.Helper()
	t.Setenv(rerunHelperEnv, do)
	out := filepath.Join(t.TempDir(), "published")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	defer func(o *os.File) { testState.Output = o }(testState.Output)
	testState.Output = f
	r := &Rerun{st: testState, test: "TestRerunHelper"}
	groups := []*publish.Group{{Test: "TestRerunHelper", Fingerprint: "0123456789abcdef", Goroutines: []*stack.Goroutine{{ID: 7, State: "chan send"}}}}
	require.Equal(t, "", r.start(groups, publish.Publication{Subject: "TestRerunHelper"}))
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(10 * time.Millisecond) {
		if data, _ := os.ReadFile(out); bytes.HasSuffix(data, []byte("\n")) {
			return string(data)
		}
	}
	t.Fatal("the rerun published nothing within a minute")
	return ""
}

// Every way a rerun can go wrong leaves the memory unmeasured, saying
// why, in what it publishes.
func TestRerunFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	if testState.InRerun() {
		t.Skip("a rerun itself")
	}
	const head = "    leakcheck: memory held by the leaks of TestRerunHelper: not measured: "
	t.Run("not reproduced", func(t *testing.T) {
		assert.Equal(t, head+"the rerun did not reproduce the leak (no goroutine of its 1 kind came back within 5s).\n", rerunHelper(t, "clean"))
	})
	t.Run("exits early", func(t *testing.T) {
		assert.Equal(t, head+`the rerun ended (exit status 3) before the test's check measured anything; its last line of output: "setup failed: the database is down".`+"\n",
			rerunHelper(t, "exit"))
	})
	t.Run("a rerun never reruns", func(t *testing.T) {
		// Nor proves leaks, nor passes the request on to processes it starts.
		assert.Equal(t, head+`the rerun ended (exit status 4) before the test's check measured anything; its last line of output: "rerun=true reruns=false proves=false request=\"\"".`+"\n",
			rerunHelper(t, "introspect"))
	})
	t.Run("no time left", func(t *testing.T) {
		testState.reruns.Lock()
		end := testState.reruns.end
		testState.reruns.end = time.Now().Add(rerunStartup + 2*time.Second)
		testState.reruns.Unlock()
		defer func() {
			testState.reruns.Lock()
			testState.reruns.end = end
			testState.reruns.Unlock()
		}()
		// The helper sleeps a minute; every rerun must end by reruns.end.
		assert.Equal(t, head+"the reruns of this test binary have used the 1m0s they may take in all.\n", rerunHelper(t, "sleep"))
		reason := (&Rerun{st: testState, test: "TestRerunHelper"}).start(nil, publish.Publication{})
		assert.Equal(t, "the reruns of this test binary have used the 1m0s they may take in all", reason)
	})
	t.Run("-timeout", func(t *testing.T) {
		reason := (&Rerun{st: testState, test: "TestRerunHelper", deadline: time.Now().Add(time.Second)}).start(nil, publish.Publication{})
		assert.Equal(t, "the test binary's -timeout leaves no time for a rerun", reason)
	})
}
