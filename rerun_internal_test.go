package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	args := childArgs([]string{"-test.run=^TestX$"}, time.Second)
	assert.Contains(t, args, "-test.run=^TestX$")
	assert.Contains(t, args, "-test.count=1")

	r := &rerun{}
	assert.Equal(t, []string{"-test.run=^(?:TestA|TestB\\.x)$"},
		r.selection([]*pubGroup{{test: "TestB.x/sub"}, {test: "TestA"}, {test: "TestB.x"}}))
	assert.Equal(t, []string{"-test.run=" + flag.Lookup("test.run").Value.String(), "-test.skip=" + flag.Lookup("test.skip").Value.String()},
		r.selection([]*pubGroup{{test: "TestA"}, {test: ""}}), "a leak with no test's name: the tests this run chose")
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
		Verify(t)
	case "introspect":
		fmt.Printf("rerun=%v reruns=%v proves=%v request=%q\n",
			isRerun(), rerunOfTest(t, time.Now(), verdict{}) != nil, proveLeaks(), os.Getenv(rerunEnv))
		os.Exit(4)
	}
}

// rerunHelper returns a rerun of TestRerunHelper, doing what the helper
// is told, for a kind of leak it never has.
func rerunHelper(t *testing.T, do string) (*rerun, []*pubGroup) {
	t.Setenv(rerunHelperEnv, do)
	return &rerun{test: "TestRerunHelper"}, []*pubGroup{{test: "TestRerunHelper", fingerprint: "0123456789abcdef", goroutines: []*Goroutine{{ID: 7}}}}
}

// Every way a rerun can go wrong leaves the memory unmeasured, saying
// why.
func TestRerunFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	if childRerun != nil {
		t.Skip("a rerun itself")
	}
	t.Run("not reproduced", func(t *testing.T) {
		r, groups := rerunHelper(t, "clean")
		res, reason := r.run(groups, time.Minute)
		require.Equal(t, "", reason)
		assert.Equal(t, "the rerun did not reproduce the leak (no goroutine of kind 0123456789abcdef after 5s)", res.Skipped)
	})
	t.Run("exits early", func(t *testing.T) {
		r, groups := rerunHelper(t, "exit")
		_, reason := r.run(groups, time.Minute)
		assert.Equal(t, `the rerun ended (exit status 3) before the test's check measured anything; its last line of output: "setup failed: the database is down"`, reason)
	})
	t.Run("a rerun never reruns", func(t *testing.T) {
		// Nor proves leaks, nor passes the request on to processes it starts.
		r, groups := rerunHelper(t, "introspect")
		_, reason := r.run(groups, time.Minute)
		assert.Equal(t, `the rerun ended (exit status 4) before the test's check measured anything; its last line of output: "rerun=true reruns=false proves=false request=\"\""`, reason)
	})
	t.Run("too slow", func(t *testing.T) {
		r, groups := rerunHelper(t, "sleep")
		_, reason := r.run(groups, 300*time.Millisecond)
		assert.Equal(t, "the rerun did not finish within 300ms (the test's own time, the wait for its leaks, and 10s to start and set up); it was stopped", reason)
	})
	t.Run("cannot start", func(t *testing.T) {
		exit, reason := runChild(filepath.Join(t.TempDir(), "missing.test"), nil, nil, filepath.Join(t.TempDir(), "out"), time.Second)
		assert.Nil(t, exit)
		assert.Contains(t, reason, "the rerun could not start: ")
	})
	t.Run("no time left", func(t *testing.T) {
		r := &rerun{test: "TestRerunHelper", deadline: time.Now().Add(time.Second)}
		_, reason := r.timeLimit()
		assert.Equal(t, "the test binary's -timeout leaves no time for a rerun", reason)

		reruns.Lock()
		defer reruns.Unlock()
		used := reruns.used
		defer func() { reruns.used = used }()
		reruns.used = maxRerunTime - time.Second
		_, reason = (&rerun{test: "TestRerunHelper"}).timeLimit()
		assert.Equal(t, "the reruns of this test binary have used the 1m0s they may take in all", reason)
		reruns.used = 0
		limit, reason := (&rerun{test: "TestRerunHelper", took: time.Second, waited: time.Second}).timeLimit()
		assert.Equal(t, "", reason)
		assert.GreaterOrEqual(t, limit, time.Second+minRerunWait+rerunStartup)
	})
}
