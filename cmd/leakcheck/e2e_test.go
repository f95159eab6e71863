package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests build the command and testdata/leakyservice with
// the toolchain running the tests (GOTOOLCHAIN and GOEXPERIMENT pass
// through), start the service on loopback, drive requests at it and run
// the command as a user would.

var (
	buildOnce            sync.Once
	leakcheckBin, svcBin string
	buildErr             error
	binDir               string
)

const (
	leakcheckPath    = "github.com/leakcheck/leakcheck/cmd/leakcheck"
	leakyservicePath = "./testdata/leakyservice"
	workers          = 20 // the service's pool
	e2eTimeout       = 2 * time.Minute
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binaries builds the command and the service once per test binary.
func binaries(t *testing.T) (leakcheck, service string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the command and a service")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "leakcheck-e2e")
		if buildErr != nil {
			return
		}
		leakcheckBin = filepath.Join(binDir, "leakcheck")
		svcBin = filepath.Join(binDir, "leakyservice")
		for _, b := range [][2]string{{leakcheckBin, leakcheckPath}, {svcBin, leakyservicePath}} {
			out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
				return
			}
		}
	})
	require.NoError(t, buildErr)
	return leakcheckBin, svcBin
}

// A svc is a running leakyservice.
type svc struct {
	url    string // http://127.0.0.1:PORT
	proven bool   // whether it serves /debug/pprof/goroutineleak
}

// startService starts leakyservice with a worker pool of workers.
func startService(t *testing.T, bin string) *svc {
	t.Helper()
	cmd := exec.Command(bin, "-workers", fmt.Sprint(workers))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the service prints its URL first")
	s := &svc{url: strings.TrimSpace(line)}
	require.True(t, strings.HasPrefix(s.url, "http://127.0.0.1:"), s.url)
	resp, err := http.Get(s.url + "/debug/pprof/goroutineleak?debug=1")
	require.NoError(t, err)
	resp.Body.Close()
	s.proven = resp.StatusCode == http.StatusOK
	return s
}

// hit sends n GET requests to path.
func (s *svc) hit(t *testing.T, path string, n int) {
	t.Helper()
	for range n {
		resp, err := http.Get(s.url + path)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
}

// get fetches path into a file and returns its name.
func (s *svc) save(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(s.url + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	name := filepath.Join(t.TempDir(), "dump")
	f, err := os.Create(name)
	require.NoError(t, err)
	_, err = io.Copy(f, resp.Body)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return name
}

// result is the outcome of one run of the command.
type result struct {
	code           int
	stdout, stderr string
	records        []jsonRecord
}

// jsonRecord is the subset of a -json record the tests read.
type jsonRecord struct {
	Count        int                       `json:"count"`
	Fingerprint  string                    `json:"fingerprint"`
	State        string                    `json:"state"`
	Proven       bool                      `json:"proven"`
	Top          struct{ Function string } `json:"top"`
	CreatedBy    struct{ Function string } `json:"created_by"`
	Stack        string                    `json:"stack"`
	GoroutineIDs []uint64                  `json:"goroutine_ids"`
	Labels       map[string]string         `json:"labels"`
	Verdict      string                    `json:"verdict"`
	Reason       string                    `json:"reason"`
	Test         string                    `json:"test"`
	Before       *int                      `json:"before"`
	After        *int                      `json:"after"`
	Samples      []int                     `json:"samples"`
}

// leakcheck runs the built command.
func leakcheck(t *testing.T, bin string, stdin io.Reader, args ...string) *result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	r := &result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("leakcheck %v: %v", args, err)
	}
	for _, a := range args {
		if a == "-json" {
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if line == "" {
					continue
				}
				var rec jsonRecord
				require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %q", line)
				r.records = append(r.records, rec)
			}
		}
	}
	return r
}

// find returns the record whose stack has function fn, failing if none.
func (r *result) find(t *testing.T, fn string) jsonRecord {
	t.Helper()
	for _, rec := range r.records {
		if strings.Contains(rec.Stack, fn+"(") {
			return rec
		}
	}
	t.Fatalf("no group with %s in:\n%s\n%s", fn, r.stdout, r.stderr)
	return jsonRecord{}
}

func TestInspectService(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/leak", 30)
	s.hit(t, "/work", 30)
	s.hit(t, "/job", 10)

	r := leakcheck(t, lc, nil, "inspect", "-json", s.url)
	leak, pool := r.find(t, "main.compute"), r.find(t, "main.worker")
	assert.Equal(t, 30, leak.Count)
	assert.Equal(t, "chan send", leak.State)
	assert.Equal(t, map[string]string{"handler": "leak"}, leak.Labels)
	assert.Equal(t, workers, pool.Count)
	assert.Equal(t, "chan receive", pool.State)
	assert.Equal(t, "ok", pool.Verdict, "a fixed pool")
	assert.Empty(t, leak.GoroutineIDs, "a profile has no IDs")
	if s.proven {
		assert.Equal(t, "leak", leak.Verdict, leak.Reason)
		assert.True(t, leak.Proven)
		assert.False(t, pool.Proven, "the pool's channel is global: not provable")
		assert.Equal(t, exitFound, r.code)
	} else {
		assert.Equal(t, "ok", leak.Verdict, "30 is below -blocked-profile")
		assert.Equal(t, exitOK, r.code, r.stderr)
	}

	// A lower threshold makes the leak a suspect in one snapshot, and
	// not the pool of 20.
	r = leakcheck(t, lc, nil, "inspect", "-json", "-leakprofile=false", "-blocked-profile", "25", s.url)
	leak, pool = r.find(t, "main.compute"), r.find(t, "main.worker")
	assert.Equal(t, "suspect", leak.Verdict)
	assert.Contains(t, leak.Reason, "30 goroutines blocked at one channel send")
	assert.Equal(t, "ok", pool.Verdict)
	assert.Equal(t, exitFound, r.code)

	// The human report, from the text profile, which cannot tell a
	// channel wait (it leaves out the runtime's frames): the runtime calls
	// the leak, or the crowd at one place makes it a suspect.
	r = leakcheck(t, lc, nil, "inspect", "-source", "text", "-blocked-profile", "25", s.url+"/debug/pprof/")
	assert.Contains(t, r.stdout, "goroutine profile (debug=1 text)")
	assert.Contains(t, r.stdout, "main.compute at ")
	assert.Equal(t, exitFound, r.code, r.stderr)
	if s.proven {
		assert.Contains(t, r.stdout, `30 goroutines in state "unknown": leak: proven leaked by the runtime`)
	} else {
		assert.Contains(t, r.stdout, `30 goroutines in state "unknown": suspect: 30 goroutines at one place, in a state the profile does not tell`)
	}
}

func TestInspectServiceDump(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/leak", 12)
	s.hit(t, "/work", 10)

	// Defaults: a hundred goroutines waiting ten minutes; nothing here.
	// (Before any leak detection: the runtime's marks stay in later
	// dumps.)
	r := leakcheck(t, lc, nil, "inspect", "-source", "dump", "-leakprofile=false", s.url)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "No leak or suspect")
	assert.Contains(t, r.stdout, "leaks not proven: -leakprofile=false")

	pprofFile := filepath.Join(t.TempDir(), "groups.pb.gz")
	r = leakcheck(t, lc, nil, "inspect", "-json", "-source", "dump", "-wait", "0", "-blocked", "10", "-pprof", pprofFile, s.url)
	leak, pool := r.find(t, "main.compute"), r.find(t, "main.worker")
	assert.Equal(t, 12, leak.Count)
	assert.Len(t, leak.GoroutineIDs, 12)
	assert.Equal(t, "main.leak.func1", leak.CreatedBy.Function)
	assert.Equal(t, "main.compute", leak.Top.Function)
	assert.Equal(t, workers, pool.Count)
	assert.Equal(t, "main.main", pool.CreatedBy.Function)
	// With -wait 0 -blocked 10, twenty idle workers in one snapshot are
	// suspect too: the snapshot heuristic cannot tell a pool from a leak.
	assert.Equal(t, "suspect", pool.Verdict)
	if s.proven {
		assert.Equal(t, "leak", leak.Verdict)
		assert.True(t, leak.Proven)
	} else {
		assert.Equal(t, "suspect", leak.Verdict)
	}
	assert.Equal(t, exitFound, r.code)

	// The profile written with -pprof reads back, with the verdicts.
	r = leakcheck(t, lc, nil, "inspect", "-json", pprofFile)
	assert.Equal(t, 12, r.find(t, "main.compute").Count)
}

func TestDiffDumps(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/leak", 3)
	before := s.save(t, "/debug/pprof/goroutine?debug=2")
	s.hit(t, "/leak", 15)
	s.hit(t, "/work", 20)
	after := s.save(t, "/debug/pprof/goroutine?debug=2")
	profile := s.save(t, "/debug/pprof/goroutine?debug=0")

	r := leakcheck(t, lc, nil, "diff", "-json", before, after)
	leak, pool := r.find(t, "main.compute"), r.find(t, "main.worker")
	require.NotNil(t, leak.Before)
	assert.Equal(t, 3, *leak.Before)
	assert.Equal(t, 18, *leak.After)
	assert.Equal(t, "suspect", leak.Verdict)
	assert.Equal(t, workers, *pool.Before)
	assert.Equal(t, workers, *pool.After)
	assert.Equal(t, "ok", pool.Verdict)
	assert.Equal(t, exitFound, r.code)
	assert.Equal(t, "main.compute", r.records[0].Top.Function, "sorted by growth")

	r = leakcheck(t, lc, nil, "diff", "-grow", "100", before, after)
	assert.Equal(t, exitOK, r.code, r.stdout)
	assert.Contains(t, r.stdout, "+15  ok")

	// A dump against a profile of the same service: kinds are matched by
	// their stacks.
	r = leakcheck(t, lc, nil, "diff", "-json", before, profile)
	assert.Equal(t, 18, *r.find(t, "main.compute").After)
	assert.Equal(t, 3, *r.find(t, "main.compute").Before)
	assert.Equal(t, workers, *r.find(t, "main.worker").Before)
}

func TestWatchGrowingLeak(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/job", 5)

	stop := s.leakSteadily()
	r := leakcheck(t, lc, nil, "watch", "-json", "-every", "400ms", "-for", "3s", "-grow", "5", s.url+"/debug/pprof/")
	stop()

	leak, pool := r.find(t, "main.compute"), r.find(t, "main.worker")
	assert.GreaterOrEqual(t, len(leak.Samples), 5, "samples over 3s every 400ms")
	for i := 1; i < len(leak.Samples); i++ {
		assert.GreaterOrEqual(t, leak.Samples[i], leak.Samples[i-1], "leaked goroutines never exit: %v", leak.Samples)
	}
	assert.Equal(t, leak.Samples[len(leak.Samples)-1], leak.Count)
	if s.proven {
		assert.Equal(t, "leak", leak.Verdict, leak.Reason)
	} else {
		assert.Equal(t, "suspect", leak.Verdict, leak.Reason)
	}
	assert.Contains(t, leak.Reason, "grew from")
	assert.Equal(t, "ok", pool.Verdict, "a fixed pool is never a suspect")
	for _, c := range pool.Samples {
		assert.Equal(t, workers, c)
	}
	assert.Equal(t, exitFound, r.code, r.stderr)
}

func TestWatchHealthyService(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/work", 10)
	r := leakcheck(t, lc, nil, "watch", "-every", "300ms", "-for", "1500ms", s.url)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "sample 1: ")
	assert.Contains(t, r.stdout, "No leak or suspect")
	assert.NotContains(t, r.stdout, "\x1b[", "plain lines when not a terminal")
}

func TestInspectGoTestOutput(t *testing.T) {
	lc, _ := binaries(t)
	for _, name := range []string{"go1.26-timeout.txt", "go1.27-timeout.txt", "go1.27-timeout-v.txt"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", "gotest", name)
			r := leakcheck(t, lc, nil, "inspect", file)
			assert.Equal(t, exitFound, r.code, r.stderr)
			assert.Contains(t, r.stdout, "the test binary timed out after 2s; tests running: TestDeadlock, TestLocked/twice")
			assert.Contains(t, r.stdout, `state "sync.WaitGroup.Wait": suspect: blocked in test TestDeadlock, still running when the test binary timed out after 2s`)
			assert.Contains(t, r.stdout, "hangtest.TestDeadlock at ")
			assert.Contains(t, r.stdout, "(test TestDeadlock)")
			assert.Contains(t, r.stdout, "(test TestLocked)")
			assert.NotContains(t, r.stdout, "FAIL\t", "the go command's lines are not part of any stack")

			// The same from standard input, as JSON.
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			r = leakcheck(t, lc, f, "inspect", "-json", "-")
			assert.Equal(t, "TestDeadlock", r.find(t, "hangtest.TestDeadlock.func1").Test)
			assert.Equal(t, "suspect", r.find(t, "hangtest.TestDeadlock.func1").Verdict)
		})
	}
	r := leakcheck(t, lc, nil, "inspect", filepath.Join("testdata", "gotest", "go1.26-panic-all.txt"))
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "panic: boom [recovered, repanicked] in TestPanic")
	assert.Contains(t, r.stdout, "5 goroutines in 3 kinds")
}

func TestInputErrors(t *testing.T) {
	lc, _ := binaries(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o666))
		return p
	}
	dump, err := os.ReadFile(filepath.Join("testdata", "gotest", "go1.26-timeout.txt"))
	require.NoError(t, err)
	prof, err := os.ReadFile(filepath.Join("..", "..", "internal", "stack", "testdata", "profiles", "go1.27-goroutine.pb.gz"))
	require.NoError(t, err)

	html := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Sign in</body></html>")
	})
	htmlSrv := newLoopbackServer(t, html)
	htmlPlain := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>Sign in</body></html>")
	}))
	cut := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(dump)))
		w.Write(dump[:len(dump)/2])
	}))
	slow := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Second)
	}))
	notFound := newLoopbackServer(t, http.NotFoundHandler())
	closed := newLoopbackServer(t, http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no args", []string{}, "usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"inspect without source", []string{"inspect"}, "want one SOURCE"},
		{"bad flag", []string{"inspect", "-nope", "x"}, "flag provided but not defined: -nope"},
		{"bad source flag", []string{"inspect", "-source", "xml", "x"}, `-source "xml"`},
		{"watch a file", []string{"watch", "x.txt"}, "want the URL of a service"},
		{"missing file", []string{"inspect", filepath.Join(dir, "nope.txt")}, "no such file or directory"},
		{"empty file", []string{"inspect", write("empty", "")}, "is empty"},
		{"blank file", []string{"inspect", write("blank", "\n\n  \n")}, "is empty"},
		{"garbage", []string{"inspect", write("garbage", "hello\nworld\n")}, "no goroutine dump or goroutine profile found"},
		{"truncated dump", []string{"inspect", write("cut", string(dump[:len(dump)-20]))}, "cut short"},
		{"truncated profile", []string{"inspect", write("cut.pb.gz", string(prof[:len(prof)/2]))}, "cut short"},
		{"too large", []string{"inspect", "-max-size", "100", write("big", string(dump))}, "larger than -max-size=100"},
		{"HTML file", []string{"inspect", write("login.html", "<!doctype html>\n<title>Login</title>")}, "is an HTML page"},
		{"refused", []string{"inspect", closedURL}, "connection refused"},
		{"HTML page", []string{"inspect", htmlSrv.URL + "/debug/pprof/goroutine?debug=2"}, "HTML page"},
		{"404", []string{"inspect", notFound.URL + "/debug/pprof/"}, "404 Not Found: the service does not serve this profile"},
		{"HTML without content type", []string{"inspect", htmlPlain.URL + "/debug/pprof/"}, "HTML page"},
		{"cut short answer", []string{"inspect", cut.URL + "/x/goroutine"}, "cut short"},
		{"timeout", []string{"inspect", "-timeout", "300ms", slow.URL}, "no answer within -timeout=300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := leakcheck(t, lc, nil, tc.args...)
			assert.Equal(t, exitError, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout, "no report, not even a partial one")
			if tc.name != "no args" && tc.name != "unknown command" {
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				assert.LessOrEqual(t, len(lines), 2, "one line, and a hint: %q", r.stderr)
			}
		})
	}

	// -partial reports a cut dump, and says so.
	r := leakcheck(t, lc, nil, "inspect", "-partial", write("cut2", string(dump[:len(dump)-20])))
	assert.Contains(t, r.stdout, "PARTIAL: the dump is cut short")
	assert.NotEqual(t, exitError, r.code)

	r = leakcheck(t, lc, nil, "-h")
	assert.Equal(t, exitOK, r.code)
	assert.LessOrEqual(t, strings.Count(r.stdout, "\n"), 30, "-h fits on a screen")
}

// newLoopbackServer starts an HTTP server on 127.0.0.1.
func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}
