package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A uiRun is the command running with -http, serving pprof's web UI.
type uiRun struct {
	cmd    *exec.Cmd
	url    string        // http://127.0.0.1:PORT/ui/
	stdout *lockedBuffer // the report
	stderr *lockedBuffer // what it said after the URL
	done   chan error
	lines  chan string // standard error, line by line, until the URL
}

// lockedBuffer collects a process's output as it comes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// webUIURL matches the line the command prints once pprof's web UI
// listens.
var webUIURL = regexp.MustCompile(`pprof's web UI on (http://127\.0\.0\.1:[0-9]+/ui/) `)

// startUI starts the command with args, which include -http, and waits
// for the URL of the web UI on its standard error.
func startUI(t *testing.T, bin string, args ...string) *uiRun {
	t.Helper()
	r := start(t, bin, args...)
	r.waitURL(t)
	return r
}

// start starts the command with args.
func start(t *testing.T, bin string, args ...string) *uiRun {
	t.Helper()
	r := &uiRun{cmd: exec.Command(bin, args...), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1), lines: make(chan string)}
	r.cmd.Stdout = r.stdout
	pipe, err := r.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, r.cmd.Start())
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
		io.Copy(r.stderr, pipe)
		r.done <- r.cmd.Wait()
	}()
	return r
}

// waitURL waits for the URL of the web UI on the command's standard
// error; what it prints after goes to r.stderr.
func (r *uiRun) waitURL(t *testing.T) {
	t.Helper()
	deadline := time.After(e2eTimeout)
	var seen []string
	for r.url == "" {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("leakcheck %v ended without serving:\n%s\n%s", r.cmd.Args, strings.Join(seen, "\n"), r.stdout)
			}
			seen = append(seen, line)
			if m := webUIURL.FindStringSubmatch(line); m != nil {
				r.url = m[1]
			}
		case <-deadline:
			t.Fatalf("leakcheck %v printed no URL:\n%s", r.cmd.Args, strings.Join(seen, "\n"))
		}
	}
	go func() {
		for line := range r.lines {
			r.stderr.Write([]byte(line + "\n"))
		}
	}()
}

// get fetches a page of the web UI.
func (r *uiRun) get(t *testing.T, page string) string {
	t.Helper()
	resp, err := http.Get(r.url + page)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %.500s", page, body)
	return string(body)
}

// interrupt sends SIGINT, as ^C does, and returns the exit status once
// the command has ended.
func (r *uiRun) interrupt(t *testing.T) int {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(e2eTimeout):
		t.Fatal("the command did not end at SIGINT")
	}
	return -1
}

// leakSteadily drives requests at the service every 40 ms until stop is
// called, each round leaking one goroutine (/leak) beside healthy work
// (/work, /job). stop waits for the last round; it may be called twice.
func (s *svc) leakSteadily() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				for _, p := range []string{"/leak", "/work", "/job"} {
					if resp, err := http.Get(s.url + p); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}

// hasRoot reports whether pprof's flame graph page has the verdict as a
// root, the frame -tagroot=verdict adds (its data is JSON in the page).
func hasRoot(flamegraph, verdict string) bool {
	return strings.Contains(flamegraph, `"FullName":"`+verdict+`","FileName":"verdict"`)
}

// leakyDump makes the service leak goroutines in main.compute and returns
// a dump of it, with the runtime's proofs when it serves them.
func leakyDump(t *testing.T, s *svc) string {
	s.hit(t, "/leak", 30)
	s.hit(t, "/job", 3)
	if s.proven {
		return s.save(t, "/debug/pprof/goroutineleak?debug=2")
	}
	return s.save(t, "/debug/pprof/goroutine?debug=2")
}

func TestInspectWebUI(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	dump := leakyDump(t, s)
	want := "suspect" // 30 goroutines at one channel send, -blocked=25 -wait=0
	if s.proven {
		want = "leak"
	}
	r := startUI(t, lc, "inspect", "-http", "127.0.0.1:0", "-blocked", "25", "-wait", "0", dump)

	// The report is printed before the web UI starts.
	assert.Contains(t, r.stdout.String(), "main.compute")
	top := r.get(t, "top")
	assert.True(t, strings.Contains(top, "main.compute"), "main.compute in top")
	assert.True(t, strings.Contains(top, "main.worker"), "main.worker in top")
	flame := r.get(t, "flamegraph")
	assert.True(t, strings.Contains(flame, `"FullName":"main.compute"`), "main.compute in the flame graph")
	assert.True(t, hasRoot(flame, want), "the flame graph's roots are the verdicts: %s", want)
	assert.True(t, hasRoot(flame, "ok"), "the flame graph's roots are the verdicts: ok")
	resp, err := http.Get(strings.TrimSuffix(r.url, "ui/"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the root leads to the UI")

	// Look at the flame graph the browser draws.
	if _, err := exec.LookPath("chromium"); err == nil || os.Getenv("LEAKCHECK_REQUIRE_BROWSER") != "" {
		dom := browsertest.DOM(t, r.url+"flamegraph")
		assert.True(t, strings.Contains(dom, `class="boxtext"`), "the browser drew the flame graph's boxes")
		browsertest.Screenshot(t, r.url+"flamegraph", 900, "inspect-flamegraph.png")
	}

	assert.Equal(t, exitFound, r.interrupt(t), "the report's status, at ^C: %s", r.stderr)
	assert.Empty(t, r.stderr.String(), "nothing but the URL on standard error")
}

func TestWatchHTMLAndWebUI(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/job", 5)

	stop := s.leakSteadily()
	defer stop()
	page := filepath.Join(t.TempDir(), "watch.html")
	r := start(t, lc, "watch", "-every", "300ms", "-grow", "5", "-html", page, "-http", "127.0.0.1:0", s.url+"/debug/pprof/")
	// The page is rewritten at each sample while the watch goes on.
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(page)
		return regexp.MustCompile(`watching: sample ([8-9]|[1-9][0-9]+) at`).Match(b)
	}, e2eTimeout, 50*time.Millisecond, "the page shows the watch going on")
	// ^C ends the watch: the report, the final page, then the web UI.
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGINT))
	r.waitURL(t)
	stop()

	// The final report, then the page, then the web UI.
	assert.Contains(t, r.stdout.String(), "main.compute")
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	h := string(html)
	assert.Contains(t, h, `<figure class="plain" id="series-1"><figcaption><span class="name" title="all goroutines">all goroutines</span>`, "the total first")
	verdict := "suspect"
	if s.proven {
		verdict = "leak"
	}
	compute := regexp.MustCompile(`(?s)<figure class="` + verdict + `"[^>]*><figcaption>.{0,200}main\.compute.*?</figure>`).FindString(h)
	require.NotEmpty(t, compute, "a chart of the leak, flagged")
	assert.Contains(t, compute, `class="trend"`, "with its trend")
	assert.Regexp(t, `<td class="name">chan send in main\.compute`, h, "in the table of kinds")
	assert.NotContains(t, h, "waiting for the first sample")
	entries, err := os.ReadDir(filepath.Dir(page))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left beside the page")

	assert.True(t, strings.Contains(r.get(t, "top"), "main.compute"), "main.compute in top")
	assert.True(t, hasRoot(r.get(t, "flamegraph"), verdict), "the flame graph's roots are the verdicts: %s", verdict)
	assert.Equal(t, exitFound, r.interrupt(t), r.stderr.String())

	if _, err := exec.LookPath("chromium"); err == nil || os.Getenv("LEAKCHECK_REQUIRE_BROWSER") != "" {
		dom := browsertest.DOM(t, "file://"+page)
		assert.GreaterOrEqual(t, strings.Count(dom, `<svg class="chart"`), 3, "the total, the leak, the pool")
		browsertest.Screenshot(t, "file://"+page, 1400, "watch.png")
	}
}

func TestPicturesFlagErrors(t *testing.T) {
	lc, _ := binaries(t)
	dump := writeTemp(t, "dump", readFixture(t, "go1.26-goroutine-debug1.txt"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "-html", "x.html", dump}, "-html does not apply to inspect (it is a flag of watch and fleet)"},
		{[]string{"diff", "-http", ":0", dump, dump}, "-http does not apply to diff (it is a flag of inspect, watch and fleet)"},
		{[]string{"inspect", "-http", "nonsense", dump}, `-http "nonsense": want host:port`},
		{[]string{"inspect", "-http", "256.0.0.1:0", dump}, "-http 256.0.0.1:0: listen tcp"},
		{[]string{"watch", "-html", "/nonexistent/dir/x.html", "http://127.0.0.1:1/"}, "-html: open /nonexistent/dir/"},
	} {
		r := leakcheck(t, lc, nil, tc.args...)
		assert.Equal(t, exitError, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
	}
}

// TestWatchHTMLFailedSamples watches a service whose fourth and fifth
// samples fail: the page shows them as marks on the total, and as a gap
// in its line.
func TestWatchHTMLFailedSamples(t *testing.T) {
	lc, _ := binaries(t)
	var mu sync.Mutex
	served := 0
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/pprof/goroutine" || r.URL.Query().Get("debug") != "1" {
			http.NotFound(w, r) // no protobuf profile, no leak profile: the text profile
			return
		}
		mu.Lock()
		served++
		n := served
		mu.Unlock()
		if n == 4 || n == 5 {
			http.Error(w, "scrape failed", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "goroutine profile: total %d\n20 @ 0x1 0x2\n#\t0x1\tmain.worker+0x46\t/src/app/main.go:63\n\n%d @ 0x3 0x4\n#\t0x3\tmain.compute+0x1d\t/src/app/main.go:82\n\n", 20+5*n, 5*n)
	}))
	page := filepath.Join(t.TempDir(), "watch.html")
	r := leakcheck(t, lc, nil, "watch", "-every", "250ms", "-for", "3s", "-html", page, srv.URL+"/debug/pprof/")
	require.NotEqual(t, exitError, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 samples failed and were skipped")
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	h := string(b)
	assert.Contains(t, h, "2 samples failed and were skipped: gaps in the lines")
	total := regexp.MustCompile(`(?s)<figure class="plain".*?</figure>`).FindString(h)
	require.NotEmpty(t, total, "the total's chart")
	assert.Equal(t, 2, strings.Count(total, ">sample failed</text>"), "each failed sample marked")
	d := regexp.MustCompile(`class="data"[^>]* d="([^"]*)"`).FindStringSubmatch(total)
	require.NotNil(t, d)
	assert.GreaterOrEqual(t, strings.Count(d[1], "M"), 2, "the line breaks where samples failed")
	assert.Contains(t, h, "main.compute", "the kind that grows is drawn")
	if _, err := exec.LookPath("chromium"); err == nil || os.Getenv("LEAKCHECK_REQUIRE_BROWSER") != "" {
		browsertest.Screenshot(t, "file://"+page, 1100, "watch-failed-samples.png")
	}
}
