package leakcheck_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/require"
)

// goTestRun is the outcome of running "go test -json" on a package under
// testdata, as a user would.
type goTestRun struct {
	exitCode int
	results  map[string][]string // test name -> actions ("pass", "fail", "skip"), one per run
	output   map[string]string   // test name -> its output; "" -> output outside any test
	raw      string
}

// runGoTest runs "go test -json -count=1 args... ./testdata/e2e/<pkg>"
// with extra environment variables, and parses the events.
func runGoTest(t *testing.T, pkg string, env []string, args ...string) *goTestRun {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs a test binary")
	}
	testenv.RequireLong(t, "end-to-end test: runs go test on testdata/e2e/"+pkg)
	cmdArgs := append([]string{"test", "-json", "-count=1"}, args...)
	dir := filepath.Join("testdata", "e2e", pkg)
	cmd := exec.Command("go", append(cmdArgs, "./"+dir)...)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		// A module of its own (testdata/stress), with its own go line.
		cmd = exec.Command("go", append(cmdArgs, ".")...)
		cmd.Dir = dir
	}
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := &goTestRun{results: map[string][]string{}, output: map[string]string{}, raw: stdout.String() + stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		run.exitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("go %s: %v\n%s", strings.Join(cmdArgs, " "), err, run.raw)
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var ev struct {
			Action, Test, Output string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Action {
		case "pass", "fail", "skip":
			if ev.Test != "" {
				run.results[ev.Test] = append(run.results[ev.Test], ev.Action)
			}
		case "output":
			run.output[ev.Test] += ev.Output
		}
	}
	require.NoError(t, sc.Err())
	return run
}

// requireOutcomes checks that every listed test ran runs times with the
// given action every time, and that no other test failed.
func (r *goTestRun) requireOutcomes(t *testing.T, runs int, want map[string]string) {
	t.Helper()
	for name, action := range want {
		got := r.results[name]
		require.Len(t, got, runs, "runs of %s\n%s", name, r.raw)
		for _, a := range got {
			require.Equal(t, action, a, "%s: want %s every run, got %v\noutput:\n%s", name, action, got, r.output[name])
		}
	}
	for name, actions := range r.results {
		if _, listed := want[name]; listed {
			continue
		}
		for _, a := range actions {
			require.NotEqual(t, "fail", a, "unexpected failure of %s:\n%s", name, r.output[name])
		}
	}
}

// countReports counts the reports of subject leaking what ("1 goroutine",
// "3 goroutines") in out: header lines, which go on with the kinds, the
// memory held, or nothing.
func countReports(out, subject, what string) int {
	re := regexp.MustCompile(`leakcheck: ` + regexp.QuoteMeta(subject) + ` leaked ` + regexp.QuoteMeta(what) + `(,| \(|\n|$)`)
	return len(re.FindAllStringIndex(out, -1))
}
