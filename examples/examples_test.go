package examples_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leakedIn names, for each example package, a function that every report
// of its leaky test must mention: where the leaked goroutine blocks, or
// the function that started it.
var leakedIn = map[string][]string{
	"unreadsend":   {"unreadsend.FetchFirst"},
	"rangeclose":   {"rangeclose.square", "rangeclose.Squares"},
	"ctxpass":      {"ctxpass.Lookup"},
	"selectloop":   {"selectloop.NewHub"},
	"httpbody":     {"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop"},
	"ticker":       {"ticker.StartHeartbeat"},
	"panicworker":  {"panicworker.work"},
	"waitgroup":    {"waitgroup.FetchAll"},
	"mutex":        {"mutex.(*Cache).Get"},
	"iterpull":     {"iter.Pull"},
	"testifysuite": {"testifysuite.(*Cache).janitor", "testifysuite.New"},
}

// needs names the examples that need a newer Go than the library.
var needs = map[string]string{
	"iterpull":  "go1.23", // iter.Pull
	"waitgroup": "go1.25", // sync.WaitGroup.Go
}

// A testEvent is one line of "go test -json" output (see go doc test2json).
type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// A testResult is what happened to one test.
type testResult struct {
	action string // "pass", "fail" or "skip"
	output strings.Builder
}

// TestExamples runs every example's tests with the leaky ones enabled and
// checks that exactly those fail, each with a report that names the leak.
func TestExamples(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") != "" {
		t.Skip("LEAKCHECK_DEMO is set: this is the run TestExamples starts, or a demonstration")
	}
	if testing.Short() {
		t.Skip("builds and runs all the examples; skipped in -short mode")
	}

	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "test", "-count=1", "-json", "./examples/...")
	cmd.Dir = ".." // the module root
	// Leaks the runtime cannot prove are reported after MaxWait: keep it
	// short so that the run stays fast.
	cmd.Env = append(os.Environ(), "LEAKCHECK_DEMO=1", "LEAKCHECK_MAX_WAIT=1s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "go test must fail, since the leaky tests do; stderr:\n%s", &stderr)

	results := make(map[string]*testResult) // by "package.Test"
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev testEvent
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), "line %q", sc.Text())
		if ev.Test == "" {
			continue
		}
		// Results are per top-level test: a subtest's output counts as its
		// parent's (the methods of a testify suite are subtests).
		top, _, _ := strings.Cut(ev.Test, "/")
		key := ev.Package[strings.LastIndexByte(ev.Package, '/')+1:] + "." + top
		r := results[key]
		if r == nil {
			r = new(testResult)
			results[key] = r
		}
		switch ev.Action {
		case "output":
			r.output.WriteString(ev.Output)
		case "pass", "fail", "skip":
			if ev.Test == top {
				r.action = ev.Action
			}
		}
	}
	require.NoError(t, sc.Err())

	leaky, fixed := 0, 0
	for key, r := range results {
		pkg, test, _ := strings.Cut(key, ".")
		switch {
		case strings.HasPrefix(test, "TestLeaky"):
			leaky++
			if !assert.Equal(t, "fail", r.action, "%s must fail; output:\n%s", key, &r.output) {
				continue
			}
			output := r.output.String()
			assert.Contains(t, output, "leakcheck:", "%s: no leakcheck report", key)
			// What the leak holds is measured on every toolchain: in a
			// rerun of the test where the runtime proved the leak.
			assert.Contains(t, output, "holds ", "%s: the report does not say what the leak holds", key)
			assert.NotContains(t, output, "not measured", key)
			funcs, ok := leakedIn[pkg]
			if assert.True(t, ok, "%s: package %s is missing from leakedIn", key, pkg) {
				for _, fn := range funcs {
					// Not followed by more of an identifier: "Lookup" is
					// not "LookupFixed".
					assert.Regexp(t, regexp.QuoteMeta(fn)+`\b`, output, "%s: the report does not name %s", key, fn)
				}
			}
		case strings.HasPrefix(test, "TestFixed"):
			fixed++
			assert.Equal(t, "pass", r.action, "%s must pass; output:\n%s", key, &r.output)
		default:
			assert.NotEqual(t, "fail", r.action, "%s must not fail; output:\n%s", key, &r.output)
		}
	}
	want := len(leakedIn)
	for _, version := range needs {
		if !slices.Contains(build.Default.ReleaseTags, version) {
			want-- // not built by this toolchain
		}
	}
	assert.Equal(t, want, leaky, "leaky tests run")
	assert.Equal(t, want, fixed, "fixed tests run")
}
