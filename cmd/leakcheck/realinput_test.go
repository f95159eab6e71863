package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below run the built command on inputs made the way users get
// them: real dumps of real programs, then pasted, quoted, cut or bloated
// as they are in issues and terminals.

// runGo runs the go command in dir and returns its standard output.
func runGo(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go %v", args)
	return out
}

// writeTemp writes data to a file in the test's temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o666))
	return p
}

// A module whose path has no dot ("distributed-kv") is the program's own
// code, not the standard library: rows name its frame, not the runtime's.
func TestDotlessModule(t *testing.T) {
	lc, _ := binaries(t)
	dump := writeTemp(t, "dump.txt", runGo(t, filepath.Join("testdata", "dotless"), nil, "run", "."))
	r := leakcheck(t, lc, nil, "inspect", dump)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `150  sync.Mutex.Lock +distributed-kv/consensus.\(\*Node\).Propose at \S+/consensus/consensus.go:15\n`, r.stdout)
	assert.NotContains(t, r.stdout, "runtime_SemacquireMutex at")

	r = leakcheck(t, lc, nil, "inspect", "-wait", "0", dump)
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "called from: distributed-kv/consensus.(*Node).Propose at ")
}

var (
	go127Once    sync.Once
	go127Service string
	go127Err     error
)

// go127Binary builds testdata/leakyservice with go1.27.4, whose runtime
// serves /debug/pprof/goroutineleak, whatever toolchain runs the tests.
func go127Binary(t *testing.T) string {
	t.Helper()
	binaries(t) // skips in -short mode, and makes binDir
	go127Once.Do(func() {
		go127Service = filepath.Join(binDir, "leakyservice-go1.27")
		cmd := exec.Command("go", "build", "-o", go127Service, leakyservicePath)
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=go1.27.4", "GOEXPERIMENT=")
		if out, err := cmd.CombinedOutput(); err != nil {
			go127Err = fmt.Errorf("GOTOOLCHAIN=go1.27.4 go build %s: %v\n%s", leakyservicePath, err, out)
		}
	})
	require.NoError(t, go127Err)
	return go127Service
}

// On go1.27 a healthy service's goroutine leak profile is empty: that is
// the good news, exit status 0, and a leak is still found once there is
// one.
func TestHealthyServiceGo127(t *testing.T) {
	lc, _ := binaries(t)
	s := startService(t, go127Binary(t))
	require.True(t, s.proven, "go1.27 serves /debug/pprof/goroutineleak")
	s.hit(t, "/work", 20)
	s.hit(t, "/job", 5)
	for _, args := range [][]string{
		{s.url},
		{"-source", "text", s.url},
		{"-source", "dump", s.url},
		{s.url + "/debug/pprof/goroutineleak"},
		{s.url + "/debug/pprof/goroutineleak?debug=1"},
	} {
		r := leakcheck(t, lc, nil, append([]string{"inspect"}, args...)...)
		assert.Equal(t, exitOK, r.code, "inspect %v\n%s%s", args, r.stdout, r.stderr)
		assert.Contains(t, r.stdout, "No leak or suspect", "inspect %v", args)
	}
	r := leakcheck(t, lc, nil, "inspect", s.url+"/debug/pprof/goroutineleak")
	assert.Contains(t, r.stdout, "the goroutine leak profile is empty: the runtime proved no goroutine leaked")

	s.hit(t, "/leak", 4)
	for _, args := range [][]string{
		{"-json", s.url},
		{"-json", "-source", "text", s.url},
		{"-json", "-source", "dump", s.url},
		{"-json", s.url + "/debug/pprof/goroutineleak"},
	} {
		r := leakcheck(t, lc, nil, append([]string{"inspect"}, args...)...)
		assert.Equal(t, exitFound, r.code, "inspect %v\n%s%s", args, r.stdout, r.stderr)
		leak := r.find(t, "main.compute")
		assert.Equal(t, "leak", leak.Verdict, "inspect %v", args)
		assert.Equal(t, 4, leak.Count, "inspect %v", args)
		assert.Equal(t, "main.compute", leak.Top.Function, "inspect %v: top is the frame the text shows", args)
	}
}

// A goroutine leak profile sample with no stack (as a go1.27 Caddy serves
// one) proves nothing: the service is healthy.
func TestLeakSampleWithoutStack(t *testing.T) {
	lc, _ := binaries(t)
	goroutines, err := profile.Parse(bytes.NewReader(readFixture(t, "go1.27-goroutine.pb.gz")))
	require.NoError(t, err)
	goroutines.Sample = append(goroutines.Sample, &profile.Sample{Value: []int64{1}})
	leaks := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "goroutineleak", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutineleak", Unit: "count"},
		Period:     1,
		Sample:     []*profile.Sample{{Value: []int64{1}}},
	}
	serve := func(p *profile.Profile) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { p.Write(w) }
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/goroutine", serve(goroutines))
	mux.Handle("/debug/pprof/goroutineleak", serve(leaks))
	srv := newLoopbackServer(t, mux)

	for _, src := range []string{srv.URL, srv.URL + "/debug/pprof/goroutineleak"} {
		r := leakcheck(t, lc, nil, "inspect", src)
		assert.Equal(t, exitOK, r.code, "%s\n%s%s", src, r.stdout, r.stderr)
		assert.NotContains(t, r.stdout, "proven leaked")
		assert.Contains(t, r.stdout, "No leak or suspect")
	}
}

// readFixture reads a profile of internal/stack/testdata/profiles.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "stack", "testdata", "profiles", name))
	require.NoError(t, err)
	return b
}

// The command line: a version, flags that do not apply turned away, and a
// service's address without its scheme met with a hint.
func TestCommandLine(t *testing.T) {
	lc, _ := binaries(t)
	r := leakcheck(t, lc, nil, "version")
	assert.Equal(t, exitOK, r.code)
	assert.Regexp(t, `^leakcheck \S+.* go1\.\d+\S* \w+/\w+\n$`, r.stdout)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "-every", "5s", "x.txt"}, "-every does not apply to inspect (it is a flag of watch and fleet)"},
		{[]string{"inspect", "x.txt", "-grow", "3"}, "-grow does not apply to inspect (it is a flag of diff, watch and fleet)"},
		{[]string{"diff", "-blocked", "3", "a", "b"}, "-blocked does not apply to diff (it is a flag of inspect)"},
		{[]string{"watch", "-wait", "1m", "http://127.0.0.1:1/"}, "-wait does not apply to watch (it is a flag of inspect)"},
		{[]string{"inspect", "127.0.0.1:8080/dump"}, "no such file or directory (for a service, give a URL: http://127.0.0.1:8080/dump)"},
		{[]string{"inspect", "localhost:6060"}, "(for a service, give a URL: http://localhost:6060)"},
		{[]string{"diff", filepath.Join("testdata", "gotest", "go1.26-timeout.txt"), "[::1]:6060/debug/pprof/"}, "give a URL: http://[::1]:6060/debug/pprof/"},
		{[]string{"watch", "localhost:6060/debug/pprof/"}, "want the URL of a service, with its scheme: http://localhost:6060/debug/pprof/"},
	} {
		r := leakcheck(t, lc, nil, tc.args...)
		assert.Equal(t, exitError, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.Empty(t, r.stdout, "%v", tc.args)
	}
	// A file that exists is read, whatever its name looks like.
	dump, err := os.ReadFile(filepath.Join("testdata", "gotest", "go1.26-timeout.txt"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "localhost:6060"), dump, 0o666))
	cmd := exec.Command(lc, "inspect", "localhost:6060")
	cmd.Dir = dir
	out, _ := cmd.Output()
	assert.Contains(t, string(out), "tests running: TestDeadlock")
}

var (
	crowdMu      sync.Mutex
	crowdOutputs = map[int][]byte{}
)

// crowdTimeout runs testdata/hangtest's TestCrowd with n blocked senders
// until -timeout kills it, and returns the output of "go test", as a user
// finds it in a CI log (once per n and test binary).
func crowdTimeout(t *testing.T, n int) []byte {
	t.Helper()
	crowdMu.Lock()
	defer crowdMu.Unlock()
	if out, ok := crowdOutputs[n]; ok {
		return out
	}
	// The test waits for its senders to start: 10 s leaves them time to
	// block, on a loaded machine too.
	cmd := exec.Command("go", "test", "-run", "^TestCrowd$", "-timeout", "10s", "./testdata/hangtest")
	cmd.Env = append(os.Environ(), fmt.Sprintf("HANGTEST_CROWD=%d", n))
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the test times out")
	require.Contains(t, string(out), "panic: test timed out after 10s")
	crowdOutputs[n] = out
	return out
}

// "go test" output that timed out, of any size, as written and as people
// paste it, and as Go before 1.20 wrote it (no list of running tests):
// the test's blocked goroutines are suspects every time.
func TestGoTestTimeoutOutputs(t *testing.T) {
	lc, _ := binaries(t)
	pastes := map[string]func(string) string{
		"as written":       func(s string) string { return s },
		"tabs to spaces":   func(s string) string { return strings.ReplaceAll(s, "\t", "    ") },
		"quoted":           func(s string) string { return "> " + strings.ReplaceAll(s, "\n", "\n> ") },
		"quoted, no tabs":  func(s string) string { return ">" + strings.ReplaceAll(strings.ReplaceAll(s, "\t", ""), "\n", "\n>") },
		"windows, go1.24":  windowsPaths,
		"no running tests": dropRunningTests,
		"old, pasted":      func(s string) string { return strings.ReplaceAll(dropRunningTests(s), "\t", "  ") },
		"go1.17, pasted":   func(s string) string { return strings.ReplaceAll(go117(dropRunningTests(s)), "\t", "    ") },
	}
	for _, n := range []int{330, 100000} { // 67 KB, past the 64 KiB read buffer; 20 MB
		out := string(crowdTimeout(t, n))
		for name, paste := range pastes {
			t.Run(fmt.Sprintf("%d/%s", n, name), func(t *testing.T) {
				r := leakcheck(t, lc, strings.NewReader(paste(out)), "inspect", "-")
				assert.Equal(t, exitFound, r.code, r.stderr)
				if name == "no running tests" || name == "old, pasted" || name == "go1.17, pasted" {
					assert.Contains(t, r.stdout, "the test binary timed out after 10s; tests with a goroutine in the dump (the output lists no running tests): TestCrowd\n")
				} else {
					assert.Contains(t, r.stdout, "the test binary timed out after 10s; tests running: TestCrowd\n")
				}
				assert.Contains(t, r.stdout, fmt.Sprintf(`%d goroutines in state "chan send": suspect: blocked in test TestCrowd, still running when the test binary timed out after 10s`, n))
				lockState := "sync.Mutex.Lock"
				if name == "go1.17, pasted" {
					lockState = "semacquire"
				}
				assert.Contains(t, r.stdout, `1 goroutine in state "`+lockState+`": suspect: blocked in test TestCrowd`)
				assert.Contains(t, r.stdout, "called from: github.com/leakcheck/leakcheck/cmd/leakcheck/testdata/hangtest.TestCrowd at ")
				assert.Regexp(t, `hangtest.send at \S*hang_test.go:\d+`, r.stdout, "file:line kept")
				assert.NotContains(t, r.stdout, "FAIL\t")
				assert.Contains(t, r.stdout, fmt.Sprintf("0 leaks, 2 suspects (%d of %d goroutines; exit status 1)", n+1, n+3))
			})
		}
	}
}

// windowsPaths rewrites a dump's paths as a Windows machine prints them,
// with CRLF line ends.
func windowsPaths(s string) string {
	s = strings.ReplaceAll(s, runtime.GOROOT()+"/", "C:/Program Files/Go/")
	if wd, err := os.Getwd(); err == nil {
		s = strings.ReplaceAll(s, filepath.Dir(filepath.Dir(wd))+"/", "C:/Users/dev/leakcheck/")
	}
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// go117 rewrites a dump as Go 1.17 printed it: a lock wait is
// "semacquire", and a creator line does not name its goroutine.
func go117(s string) string {
	s = strings.ReplaceAll(s, "[sync.Mutex.Lock]", "[semacquire]")
	return regexp.MustCompile(`(?m)^(created by \S+) in goroutine \d+$`).ReplaceAllString(s, "$1")
}

// dropRunningTests removes the list of running tests that a timeout
// prints since Go 1.20.
func dropRunningTests(s string) string {
	var b strings.Builder
	inList := false
	for _, line := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.TrimSpace(line) == "running tests:":
			inList = true
			continue
		case inList && strings.HasPrefix(line, "\t\t"):
			continue
		}
		inList = false
		b.WriteString(line)
	}
	return b.String()
}

// A debug=1 profile cannot tell a channel wait (it leaves out the
// runtime's frames): a crowd of 5,067 goroutines at one line, state
// unknown, is a suspect all the same.
func TestProfileTextCrowd(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	s.hit(t, "/spawn?n=5067", 1)
	s.hit(t, "/work", 5)
	r := leakcheck(t, lc, nil, "inspect", "-source", "text", s.url)
	assert.Equal(t, exitFound, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, `5067 goroutines in state "unknown": suspect: 5067 goroutines at one place, in a state the profile does not tell (threshold -blocked-profile=1000)`)
	assert.Contains(t, r.stdout, "blocked in: main.park at ")
	assert.Contains(t, r.stdout, "0 leaks, 1 suspect")

	r = leakcheck(t, lc, nil, "inspect", "-source", "text", "-blocked-profile", "6000", s.url)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)

	// The same profile pasted into an issue: quoted, tabs to spaces.
	raw, err := os.ReadFile(s.save(t, "/debug/pprof/goroutine?debug=1"))
	require.NoError(t, err)
	pasted := "> " + strings.ReplaceAll(strings.ReplaceAll(string(raw), "\t", "    "), "\n", "\n> ")
	r = leakcheck(t, lc, strings.NewReader(pasted), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, `5067 goroutines in state "unknown": suspect`)
	assert.Contains(t, r.stdout, "blocked in: main.park at ")
}

// Kinds that wait at the same line of the standard library (a server's
// connections and a client's, all in IO wait) read apart in the table,
// and the JSON's top is the frame the report shows.
func TestRowsReadApart(t *testing.T) {
	lc, _ := binaries(t)
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for range 3 {
		resp, err := client.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
	}
	buf := make([]byte, 4<<20)
	dump := writeTemp(t, "dump.txt", buf[:runtime.Stack(buf, true)])

	r := leakcheck(t, lc, nil, "inspect", dump)
	require.Equal(t, exitOK, r.code, r.stderr)
	_, table, ok := strings.Cut(r.stdout, "Kinds of goroutine, all ok:\n")
	require.True(t, ok, r.stdout)
	table, _, _ = strings.Cut(table, "\n\n")
	seen := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		row := strings.Join(strings.Fields(line)[1:], " ") // without the count
		assert.False(t, seen[row], "two rows read alike: %q\n%s", row, table)
		seen[row] = true
	}
	assert.Contains(t, table, "in net/http.(*conn).serve")
	assert.Contains(t, table, "in net/http.(*persistConn).readLoop")

	r = leakcheck(t, lc, nil, "inspect", "-json", dump)
	for _, rec := range r.records {
		assert.True(t, strings.HasPrefix(rec.Stack[strings.Index(rec.Stack, "\n")+1:], rec.Top.Function+"("), "top %s is the stack's first frame:\n%s", rec.Top.Function, rec.Stack)
	}
}

// steadyLoad drives a steady mix of requests at a service from workers
// clients, each dropping its idle connections now and then, so that the
// service's connection goroutines come and go, until stop is closed or
// maxRequests were sent. It returns the number of requests sent.
func steadyLoad(url string, workers, maxRequests int, stop <-chan struct{}) int {
	var sent atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
			defer client.CloseIdleConnections()
			for sent.Add(1) <= int64(maxRequests) {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/work", "/job"}[rng.Intn(2)]
				if resp, err := client.Get(url + path); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if rng.Intn(5) == 0 {
					client.CloseIdleConnections()
				}
				time.Sleep(time.Duration(rng.Intn(50)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	return int(min(sent.Load(), int64(maxRequests)))
}

// A steady service under load: its connection goroutines come and go,
// nothing grows, and neither watch nor diff flags anything.
func TestWatchSteadyServiceUnderLoad(t *testing.T) {
	lc, svcBin := binaries(t)
	s := startService(t, svcBin)
	stop := make(chan struct{})
	done := make(chan int)
	go func() { done <- steadyLoad(s.url, 60, 30000, stop) }()
	r := leakcheck(t, lc, nil, "watch", "-json", "-every", "200ms", "-for", "4s", s.url)
	// Two profiles a second apart, as a user would diff them.
	before := s.save(t, "/debug/pprof/goroutine?debug=0")
	time.Sleep(time.Second)
	after := s.save(t, "/debug/pprof/goroutine?debug=0")
	close(stop)
	sent := <-done
	d := leakcheck(t, lc, nil, "diff", "-json", before, after)
	assert.Equal(t, exitOK, d.code, "%s\n%s", d.stdout, d.stderr)
	for _, rec := range d.records {
		assert.Equal(t, "ok", rec.Verdict, "diff: %s: %d -> %d: %s", rec.Top.Function, *rec.Before, *rec.After, rec.Reason)
	}
	assert.Equal(t, exitOK, r.code, "%d requests\n%s\n%s", sent, r.stdout, r.stderr)
	moved := 0
	for _, rec := range r.records {
		assert.Equal(t, "ok", rec.Verdict, "%s: samples %v: %s", rec.Top.Function, rec.Samples, rec.Reason)
		if slices.Min(rec.Samples) != slices.Max(rec.Samples) {
			moved++
		}
	}
	assert.Positive(t, moved, "the load makes counts move: %d requests", sent)
	for _, rec := range r.records {
		if slices.Max(rec.Samples)-slices.Min(rec.Samples) >= 10 {
			t.Logf("%s %s: %v", rec.State, rec.Top.Function, rec.Samples)
		}
	}
	t.Logf("%d requests, %d kinds, %d of them moving", sent, len(r.records), moved)
}

// Binary inputs are turned away with one line, whatever their size: a
// gzip bomb, random data, data that starts like a profile.
func TestBinaryInputs(t *testing.T) {
	lc, _ := binaries(t)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	require.NoError(t, zw.Close())
	random := make([]byte, 48<<20)
	rand.New(rand.NewSource(1)).Read(random)
	random[0] = 0x01 // no profile starts so
	for _, tc := range []struct {
		name  string
		input []byte
		want  string
	}{
		{"gzip bomb", bomb.Bytes(), "not a readable goroutine profile: the profile inflates to more than 32 MiB"},
		{"random data", random, "not a readable goroutine profile: binary data that is neither gzip nor a pprof profile"},
		{"random data starting like a profile", append([]byte{0x0a}, random[1:]...), "not a readable goroutine profile: binary data that is neither gzip nor a pprof profile"},
		{"random data starting with '2'", append([]byte{'2'}, random[1:]...), "not a readable goroutine profile: binary data that is neither gzip nor a pprof profile"},
	} {
		r := leakcheck(t, lc, bytes.NewReader(tc.input), "inspect", "-")
		assert.Equal(t, exitError, r.code, tc.name)
		assert.Contains(t, r.stderr, tc.want, tc.name)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line", tc.name)
	}
}

// A crash of Go 1.3 (the runtime in C, sources under src/pkg, creators
// without "in goroutine N"), pasted with its tabs turned into spaces: the
// crowd of workers blocked for 15 minutes is a suspect, named by its own
// code.
func TestOldGoCrash(t *testing.T) {
	lc, _ := binaries(t)
	var b strings.Builder
	b.WriteString("panic: runtime error: invalid memory address or nil pointer dereference\n[signal 0xb code=0x1 addr=0x0 pc=0x400c3a]\n\n")
	b.WriteString("goroutine 16 [running]:\nruntime.panic(0x4a5f80, 0x5c3f73)\n        /usr/local/go/src/pkg/runtime/panic.c:279 +0xf5\nmain.main()\n        /home/dev/src/queue/main.go:41 +0x3a\n\n")
	b.WriteString("goroutine 19 [finalizer wait]:\nruntime.park(0x413f40, 0x5c6e10, 0x5c5649)\n        /usr/local/go/src/pkg/runtime/proc.c:1369 +0x89\nruntime.fing()\n        /usr/local/go/src/pkg/runtime/mgc0.c:2604 +0xcf\nruntime.goexit()\n        /usr/local/go/src/pkg/runtime/proc.c:1445\n\n")
	for id := 20; id < 140; id++ {
		fmt.Fprintf(&b, "goroutine %d [chan receive, 15 minutes]:\nqueue/worker.(*Pool).run(0xc208001e00, 0x%x)\n        /home/dev/src/queue/worker/pool.go:57 +0x6d\ncreated by queue/worker.(*Pool).Start\n        /home/dev/src/queue/worker/pool.go:31 +0x9a\n\n", id, id)
	}
	r := leakcheck(t, lc, strings.NewReader(b.String()), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "crash dump")
	assert.Contains(t, r.stdout, "panic: runtime error: invalid memory address or nil pointer dereference")
	assert.Contains(t, r.stdout, `120 goroutines in state "chan receive" for 15m0s: suspect: 120 goroutines blocked at one channel receive for at least 10m0s`)
	assert.Contains(t, r.stdout, "blocked in: queue/worker.(*Pool).run at /home/dev/src/queue/worker/pool.go:57")
	assert.Contains(t, r.stdout, "started by: queue/worker.(*Pool).Start at /home/dev/src/queue/worker/pool.go:31")
	assert.Regexp(t, `1  finalizer wait +runtime.park at /usr/local/go/src/pkg/runtime/proc.c:1369\n`, r.stdout)
	assert.Contains(t, r.stdout, "crash: goroutine 16 crashed: panic: runtime error: invalid memory address or nil pointer dereference")
	assert.Contains(t, r.stdout, "running in: runtime.panic at")
}
