package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below run the built command on what people paste into
// issues: goleak's failure messages, the runtime's own verdicts, CI and
// journald logs, go test -json, damaged copies. The runtime's outputs
// come from real programs (testdata/crashes, testdata/hangtest); goleak's
// reports, which need goleak, are fixtures in its formats
// (testdata/pasted).

var (
	crashesOnce sync.Once
	crashesBin  string
	crashesErr  error
)

// crashOutput runs testdata/crashes in a mode and returns what it wrote
// to standard error: the runtime's message and dump.
func crashOutput(t *testing.T, mode string) string {
	t.Helper()
	binaries(t) // skips in -short mode, and makes binDir
	crashesOnce.Do(func() {
		crashesBin = filepath.Join(binDir, "crashes")
		if out, err := exec.Command("go", "build", "-o", crashesBin, "./testdata/crashes").CombinedOutput(); err != nil {
			crashesErr = fmt.Errorf("go build ./testdata/crashes: %v\n%s", err, out)
		}
	})
	require.NoError(t, crashesErr)
	cmd := exec.Command(crashesBin, mode)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.Error(t, cmd.Run(), "crashes %s dies", mode)
	return stderr.String()
}

// stackHas reports whether a record's stack shows none of goleak's
// framing.
func assertNoFraming(t *testing.T, r *result) {
	t.Helper()
	for _, rec := range r.records {
		assert.NotContains(t, rec.Stack, "Goroutine ", "goleak's introduction is not part of the stack")
		assert.NotRegexp(t, `(?m)^\s*\]\s*$`, rec.Stack, "nor its closing bracket")
	}
}

// goleak's failure messages, in its v1.3 form (no goroutine headers)
// inside "go test -v", in its older form (headers, indented by go test
// before Go 1.14) and from VerifyTestMain: goleak judged the goroutines
// leaked, so they are suspects of the test it names, exit status 1.
func TestGoleakReports(t *testing.T) {
	lc, _ := binaries(t)
	for _, tc := range []struct {
		file, test string
		counts     map[string]int // by top function
	}{
		{"goleak-v1.3-gotest-v.txt", "TestWorkerShutdown", map[string]int{"example.org/jobs/worker.(*Pool).deliver": 2, "example.org/jobs/worker.(*Pool).heartbeat": 1}},
		{"goleak-old-headers.txt", "TestSubscribe", map[string]int{"example.net/pubsub/client.(*Conn).readLoop": 1, "example.net/pubsub/client.(*Conn).pingLoop": 1}},
		{"goleak-testmain.txt", "", map[string]int{"example.com/cache.(*Janitor).run": 1}},
		{"goleak-gotestsum.txt", "TestExpire", map[string]int{"example.io/chat/internal/session.(*Store).sweep": 1}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			file := filepath.Join("testdata", "pasted", tc.file)
			r := leakcheck(t, lc, nil, "inspect", "-json", file)
			require.Equal(t, exitFound, r.code, r.stderr)
			require.Len(t, r.records, len(tc.counts), r.stdout)
			for fn, n := range tc.counts {
				rec := r.find(t, fn)
				assert.Equal(t, "suspect", rec.Verdict, fn)
				assert.Equal(t, n, rec.Count, fn)
				assert.Contains(t, rec.Reason, "goleak reported", fn)
				assert.Equal(t, tc.test, rec.Test, fn)
			}
			assertNoFraming(t, r)

			r = leakcheck(t, lc, nil, "inspect", file)
			assert.Equal(t, exitFound, r.code)
			assert.Contains(t, r.stdout, "goleak report")
			assert.NotContains(t, r.stdout, "FAIL\t")
		})
	}
}

// The runtime's verdicts: a deadlock it proved is a leak of every
// goroutine asleep in it (named, with their lines); a fatal error or a
// panic names the goroutine that crashed. Exit status 1 each time, as
// written, in a Markdown fence with a stray backtick, and as Go 1.0 said
// it.
func TestRuntimeVerdicts(t *testing.T) {
	lc, _ := binaries(t)
	deadlock := crashOutput(t, "deadlock")
	require.Contains(t, deadlock, "fatal error: all goroutines are asleep - deadlock!")
	for name, text := range map[string]string{
		"as written":       deadlock,
		"fenced":           "```\n" + deadlock + "```\n",
		"stray backtick":   "`" + deadlock,
		"fenced, indented": "   ```\n" + strings.ReplaceAll("   "+deadlock, "\n", "\n   ") + "```\n",
	} {
		t.Run("deadlock/"+name, func(t *testing.T) {
			r := leakcheck(t, lc, strings.NewReader(text), "inspect", "-json", "-")
			require.Equal(t, exitFound, r.code, r.stderr)
			produce := r.find(t, "main.produce")
			assert.Equal(t, "leak", produce.Verdict)
			assert.Equal(t, 3, produce.Count)
			assert.Contains(t, produce.Reason, "deadlocked: the runtime found every goroutine asleep")
			main := r.find(t, "main.deadlock")
			assert.Equal(t, "leak", main.Verdict)
			assert.Contains(t, []string{"sync.WaitGroup.Wait", "semacquire"}, main.State, "semacquire before Go 1.24")

			r = leakcheck(t, lc, strings.NewReader(text), "inspect", "-")
			assert.Contains(t, r.stdout, "fatal error: all goroutines are asleep - deadlock!")
			assert.Regexp(t, `blocked in: main\.produce at \S+/crashes/main\.go:\d+`, r.stdout)
			assert.Contains(t, r.stdout, "2 leaks, 0 suspects (4 of 4 goroutines; exit status 1)")
		})
	}

	r := leakcheck(t, lc, nil, "inspect", filepath.Join("testdata", "pasted", "go1.0-deadlock.txt"))
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, `1 goroutine in state "chan receive": leak: deadlocked`)
	assert.Contains(t, r.stdout, "blocked in: main.main at /home/gopher/hello/main.go:14")

	for mode, msg := range map[string]string{
		"mapwrites": "fatal error: concurrent map writes",
		"nilmap":    "panic: assignment to entry in nil map",
	} {
		t.Run(mode, func(t *testing.T) {
			out := crashOutput(t, mode)
			require.Contains(t, out, msg)
			id := regexp.MustCompile(`goroutine (\d+) `).FindStringSubmatch(out)[1]
			r := leakcheck(t, lc, strings.NewReader(out), "inspect", "-")
			assert.Equal(t, exitFound, r.code, r.stderr)
			assert.Contains(t, r.stdout, "crash dump")
			assert.Contains(t, r.stdout, fmt.Sprintf(`crash: goroutine %s crashed: %s`, id, msg))
			assert.Contains(t, r.stdout, "the goroutine that crashed, 0 leaks, 0 suspects")
		})
	}
}

// prefixers wrap every line as log systems do.
var prefixers = map[string]struct {
	wrap func(string) string
	said string
}{
	"GitHub Actions": {eachLine(func(i int, l string) string {
		return time.Date(2023, 5, 1, 10, 0, 0, i*1234567, time.UTC).Format("2006-01-02T15:04:05.0000000Z") + " " + l
	}), "removed the timestamps (GitHub Actions style) of each line"},
	"journald": {eachLine(func(i int, l string) string {
		return fmt.Sprintf("Oct 07 12:00:%02d build-7 app[4242]: %s", i%60, l)
	}), "removed the journald/syslog prefixes of each line"},
	"line numbers": {eachLine(func(i int, l string) string {
		if l == "" {
			return fmt.Sprint(i + 1)
		}
		return fmt.Sprintf("%4d %s", i+1, l)
	}), "removed the line numbers of each line"},
	"docker compose": {eachLine(func(i int, l string) string { return "api-1  | " + l }), `removed the prefix "api-1  | " of each line`},
	"log package":    {eachLine(func(i int, l string) string { return "2023/05/01 10:00:00.123456 " + l }), "removed the log timestamps of each line"},
}

// eachLine applies f to every line of a text (with its index).
func eachLine(f func(i int, line string) string) func(string) string {
	return func(s string) string {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		for i, l := range lines {
			lines[i] = f(i, l)
		}
		return strings.Join(lines, "\n") + "\n"
	}
}

// testJSON writes text as "go test -json" does, a line an event.
func testJSON(text string) string {
	var b strings.Builder
	b.WriteString(`{"Time":"2023-05-01T10:00:00Z","Action":"start","Package":"example.com/p"}` + "\n")
	for _, l := range strings.SplitAfter(text, "\n") {
		if l == "" {
			continue
		}
		ev, _ := json.Marshal(map[string]string{"Time": "2023-05-01T10:00:00Z", "Action": "output", "Package": "example.com/p", "Output": l})
		b.Write(append(ev, '\n'))
	}
	b.WriteString(`{"Time":"2023-05-01T10:00:02Z","Action":"fail","Package":"example.com/p","Elapsed":2}` + "\n")
	return b.String()
}

// Line prefixes of CI and log systems, and "go test -json": removed, and
// said so; the verdicts are those of the text without them.
func TestLinePrefixes(t *testing.T) {
	lc, _ := binaries(t)
	timeout, err := os.ReadFile(filepath.Join("testdata", "gotest", "go1.27-timeout-v.txt"))
	require.NoError(t, err)
	goleak, err := os.ReadFile(filepath.Join("testdata", "pasted", "goleak-v1.3-gotest-v.txt"))
	require.NoError(t, err)
	for input, text := range map[string]string{
		"timeout":  string(timeout),
		"deadlock": crashOutput(t, "deadlock"),
		"goleak":   string(goleak),
	} {
		plain := leakcheck(t, lc, strings.NewReader(text), "inspect", "-json", "-")
		require.Equal(t, exitFound, plain.code, plain.stderr)
		check := func(t *testing.T, wrapped, said string) {
			r := leakcheck(t, lc, strings.NewReader(wrapped), "inspect", "-json", "-")
			require.Equal(t, exitFound, r.code, r.stderr)
			assert.Equal(t, plain.records, r.records, "the same kinds and verdicts as without the wrapping")
			r = leakcheck(t, lc, strings.NewReader(wrapped), "inspect", "-")
			assert.Contains(t, r.stdout, said)
		}
		for name, p := range prefixers {
			t.Run(input+"/"+name, func(t *testing.T) { check(t, p.wrap(text), p.said) })
		}
		t.Run(input+"/go test -json", func(t *testing.T) {
			check(t, testJSON(text), `removed the "go test -json" events around each line`)
		})
		t.Run(input+"/go test -json, GitHub Actions", func(t *testing.T) {
			check(t, prefixers["GitHub Actions"].wrap(testJSON(text)), "removed the timestamps (GitHub Actions style)")
		})
	}
}

// The output of a real "go test -json" run that timed out.
func TestRealGoTestJSON(t *testing.T) {
	lc, _ := binaries(t)
	cmd := exec.Command("go", "test", "-json", "-timeout", "3s", "./testdata/hangtest")
	cmd.Env = append(os.Environ(), "HANGTEST=1")
	out, err := cmd.Output()
	require.Error(t, err, "the tests time out")
	require.Contains(t, string(out), `"Action":"output"`)
	r := leakcheck(t, lc, strings.NewReader(string(out)), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, `removed the "go test -json" events`)
	assert.Contains(t, r.stdout, "the test binary timed out after 3s; tests running: TestDeadlock, TestLocked/twice")
	assert.Contains(t, r.stdout, "suspect: blocked in test TestDeadlock")
}

// Damaged pastes: what can be repaired is, what cannot is refused (exit
// status 2, saying why), and what is doubtful is said.
func TestDamagedPastes(t *testing.T) {
	lc, _ := binaries(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "stack", "testdata", name))
		require.NoError(t, err)
		return string(b)
	}
	profile := read("profiles/go1.27-goroutine-debug1.txt")
	whole := leakcheck(t, lc, strings.NewReader(profile), "inspect", "-json", "-")
	require.Equal(t, exitOK, whole.code, whole.stderr)

	t.Run("profile frames without #", func(t *testing.T) {
		r := leakcheck(t, lc, strings.NewReader(strings.ReplaceAll(profile, "\n#\t0x", "\n\t0x")), "inspect", "-json", "-")
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, whole.records, r.records)
		r = leakcheck(t, lc, strings.NewReader(strings.ReplaceAll(profile, "\n#\t0x", "\n    0x")), "inspect", "-json", "-")
		assert.Equal(t, len(whole.records), len(r.records), "tabs turned into spaces too")
	})
	t.Run("profile total disagrees", func(t *testing.T) {
		first, rest, _ := strings.Cut(profile, "\n")
		_, rest, _ = strings.Cut(rest, "\n\n") // drop the first record
		r := leakcheck(t, lc, strings.NewReader(first+"\n"+rest), "inspect", "-")
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Regexp(t, `NOTE: the profile's first line says total \d+, but its records add up to \d+`, r.stdout)
	})

	dump := crashOutput(t, "deadlock")
	plain := leakcheck(t, lc, strings.NewReader(dump), "inspect", "-json", "-")
	t.Run("header lost its first letter", func(t *testing.T) {
		cut := strings.TrimPrefix(dump[strings.Index(dump, "goroutine "):], "g")
		require.True(t, strings.HasPrefix(cut, "oroutine 1 ["))
		r := leakcheck(t, lc, strings.NewReader(cut), "inspect", "-json", "-")
		assert.Equal(t, exitOK, r.code, "no deadlock message any more: %s", r.stderr)
		assert.Len(t, r.records, len(plain.records))
	})
	t.Run("cut after a complete line", func(t *testing.T) {
		last := strings.LastIndex(dump, "main.produce(")
		cut := dump[:last+strings.IndexByte(dump[last:], '\n')+1]
		r := leakcheck(t, lc, strings.NewReader(cut), "inspect", "-")
		assert.Contains(t, r.stdout, "NOTE: the last goroutine ends with a frame without its position")
	})

	other := read("dumps/go1.27-system.txt")
	for _, chunk := range []int{1, 60, 400} {
		t.Run(fmt.Sprintf("two dumps interleaved, %d bytes at a time", chunk), func(t *testing.T) {
			r := leakcheck(t, lc, strings.NewReader(interleave(dump+dump, other, chunk)), "inspect", "-")
			assert.Equal(t, exitError, r.code, r.stdout)
			assert.Contains(t, r.stderr, "the text is garbled")
			assert.Empty(t, r.stdout, "no report of garbage")
		})
	}
}

// interleave mixes a and b in chunks of n bytes, as two processes
// writing to one terminal at once do.
func interleave(a, b string, n int) string {
	var out strings.Builder
	for a != "" || b != "" {
		for _, s := range []*string{&a, &b} {
			k := min(n, len(*s))
			out.WriteString((*s)[:k])
			*s = (*s)[k:]
		}
	}
	return out.String()
}

// The goroutine leak profile of a healthy go1.27 service can hold a
// sample without a stack ("1 @" then "#\t0x0" in the text form): it
// proves nothing, exit status 0, in either form.
func TestLeakProfileTextWithoutStack(t *testing.T) {
	lc, _ := binaries(t)
	goroutines := readFixture(t, "go1.27-goroutine-debug1.txt")
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) { w.Write(goroutines) })
	mux.HandleFunc("/debug/pprof/goroutineleak", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "goroutineleak profile: total 1\n1 @\n#\t0x0\n\n")
	})
	srv := newLoopbackServer(t, mux)
	for _, src := range []string{srv.URL + "/debug/pprof/goroutineleak?debug=1", srv.URL} {
		r := leakcheck(t, lc, nil, "inspect", "-source", "text", src)
		assert.Equal(t, exitOK, r.code, "%s\n%s%s", src, r.stdout, r.stderr)
		assert.NotContains(t, r.stdout, "0x0")
		assert.NotContains(t, r.stdout, "proven leaked")
	}
	r := leakcheck(t, lc, nil, "inspect", srv.URL+"/debug/pprof/goroutineleak?debug=1")
	assert.Contains(t, r.stdout, "lists no goroutine with a stack: a sample without one proves nothing")
}

// "go test" output: the tests "=== RUN" started and did not finish name
// the running tests when the timeout lists none (before Go 1.20); race
// reports before it are said; a long wait shows in its row.
func TestGoTestOutputDetails(t *testing.T) {
	lc, _ := binaries(t)
	b, err := os.ReadFile(filepath.Join("testdata", "gotest", "go1.27-timeout-v.txt"))
	require.NoError(t, err)
	old := dropRunningTests(string(b))
	r := leakcheck(t, lc, strings.NewReader(old), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "tests started and not finished (the output lists no running tests): TestDeadlock, TestLocked/twice\n")
	assert.Contains(t, r.stdout, "suspect: blocked in test TestDeadlock")

	race := strings.Replace(old, "panic: test timed out", "==================\nWARNING: DATA RACE\nWrite at 0x00c000012345 by goroutine 8:\n  example.com/p.(*Counter).Inc()\n      /src/p/counter.go:12 +0x44\n\nPrevious read at 0x00c000012345 by goroutine 7:\n  example.com/p.(*Counter).Get()\n      /src/p/counter.go:16 +0x3a\n\nGoroutine 8 (running) created at:\n  example.com/p.TestCounter()\n      /src/p/counter_test.go:9 +0x8c\n==================\npanic: test timed out", 1)
	r = leakcheck(t, lc, strings.NewReader(race), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "the race detector reported 1 data race (not goroutines: read them in the output)")
	assert.NotContains(t, r.stdout, "Counter", "a race report's stacks are no goroutines")

	long := strings.Replace(string(b), "[chan receive]:", "[chan receive, 10175 minutes]:", 1)
	r = leakcheck(t, lc, strings.NewReader(long), "inspect", "-")
	assert.Regexp(t, `chan receive .*, waiting up to 10175 minutes`, r.stdout)
}

// crowdDump writes a dump of a server: n goroutines waiting to read from
// idle TLS connections, and others of a few kinds.
func crowdDump(idle int, others map[string]int) string {
	var b strings.Builder
	id := 1
	for range idle {
		fmt.Fprintf(&b, "goroutine %d [IO wait, 12 minutes]:\ninternal/poll.runtime_pollWait(0x7f0, 0x72)\n\t/usr/local/go/src/runtime/netpoll.go:351 +0x85\ninternal/poll.(*FD).Read(0xc000, {0xc0, 0x5, 0x5})\n\t/usr/local/go/src/internal/poll/fd_unix.go:165 +0x27a\nnet.(*conn).Read(0xc0, {0xc0, 0x5, 0x5})\n\t/usr/local/go/src/net/net.go:194 +0x45\ncrypto/tls.(*Conn).readRecordOrCCS(0xc0, 0x0)\n\t/usr/local/go/src/crypto/tls/conn.go:611 +0x117\ncrypto/tls.(*Conn).Read(0xc0, {0xc0, 0x1000, 0x1000})\n\t/usr/local/go/src/crypto/tls/conn.go:1392 +0x15d\nnet/http.(*conn).serve(0xc0, {0x9c, 0xc0})\n\t/usr/local/go/src/net/http/server.go:2102 +0x625\ncreated by net/http.(*Server).Serve in goroutine 1\n\t/usr/local/go/src/net/http/server.go:3454 +0x485\n\n", id)
		id++
	}
	for fn, n := range others {
		for range n {
			fmt.Fprintf(&b, "goroutine %d [select]:\n%s(0xc0)\n\t/src/app/%s.go:40 +0x85\ncreated by example.com/app.Start in goroutine 1\n\t/src/app/start.go:12 +0x45\n\n", id, fn, strings.ToLower(fn[strings.LastIndex(fn, ".")+1:]))
			id++
		}
	}
	return b.String()
}

// One kind holding most of a big process is a suspect, whatever its
// state; in a small one it is not.
func TestCrowd(t *testing.T) {
	lc, _ := binaries(t)
	others := map[string]int{"example.com/app.(*Cache).janitor": 40, "example.com/app.(*Queue).run": 27}
	r := leakcheck(t, lc, strings.NewReader(crowdDump(7687, others)), "inspect", "-")
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, `7687 goroutines in state "IO wait" for 12m0s: suspect: holds 7687 of the process's 7754 goroutines (99%)`)
	r = leakcheck(t, lc, strings.NewReader(crowdDump(300, others)), "inspect", "-")
	assert.Equal(t, exitOK, r.code, r.stdout)
}

// Requests that hang each leave goroutines of several kinds: they grow
// in step, each within the noise the others make, and together they are
// one cause. Kinds that only move are not.
func TestDiffCausesInStep(t *testing.T) {
	lc, _ := binaries(t)
	steady := map[string]int{"example.com/app.(*Cache).janitor": 40, "example.com/app.(*Queue).run": 12}
	hung := func(n, m, k, l int) map[string]int {
		kinds := map[string]int{"example.com/proxy.(*Handler).ServeHTTP": n, "example.com/proxy.(*upstream).roundTrip": m, "example.com/proxy.(*upstream).readLoop": k, "example.com/proxy.(*upstream).writeLoop": l}
		for fn, c := range steady {
			kinds[fn] = c
		}
		return kinds
	}
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.txt"), filepath.Join(dir, "after.txt")
	require.NoError(t, os.WriteFile(before, []byte(crowdDump(50, hung(5, 6, 12, 12))), 0o666))
	require.NoError(t, os.WriteFile(after, []byte(crowdDump(57, hung(27, 27, 28, 28))), 0o666))
	r := leakcheck(t, lc, nil, "diff", before, after)
	assert.Equal(t, exitFound, r.code, r.stdout+r.stderr)
	assert.Equal(t, 4, strings.Count(r.stdout, "[cause 1]"), r.stdout)
	assert.Contains(t, r.stdout, "in step with 3 other kinds (+22, +21, +16, +16: together 35 to 110")

	// Kinds that only move, within the noise of the others.
	require.NoError(t, os.WriteFile(after, []byte(crowdDump(45, hung(8, 4, 13, 9))), 0o666))
	r = leakcheck(t, lc, nil, "diff", before, after)
	assert.Equal(t, exitOK, r.code, r.stdout)
}

// watch says when -for ran out before any sample, rather than that it
// was interrupted.
func TestWatchForRunsOut(t *testing.T) {
	lc, _ := binaries(t)
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	r := leakcheck(t, lc, nil, "watch", "-for", "300ms", srv.URL)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "-for=300ms ran out before the first sample was read")
	assert.NotContains(t, r.stderr, "interrupted")
}

// A real reverse proxy whose upstream hangs (testdata/hungproxy): each
// request leaves goroutines of five kinds that grow in step, each within
// the noise bar the others raise. Two dumps, 5 then 27 hung requests:
// one cause, exit status 1.
func TestDiffHungProxy(t *testing.T) {
	lc, _ := binaries(t)
	bin := filepath.Join(binDir, "hungproxy")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/hungproxy").CombinedOutput()
	require.NoError(t, err, "%s", out)
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	s := &svc{url: strings.TrimSpace(line)}
	hang := func(n int) {
		for range n {
			go func() {
				if resp, err := http.Get(s.url + "/hang"); err == nil {
					resp.Body.Close()
				}
			}()
		}
	}
	waitHung := func(n int) {
		give := time.Now().Add(time.Minute)
		for {
			require.True(t, time.Now().Before(give), "the upstream never held %d requests", n)
			resp, err := http.Get(s.url + "/hung")
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) == fmt.Sprint(n) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	hang(5)
	waitHung(5)
	before := s.save(t, "/debug/pprof/goroutine?debug=2")
	hang(22)
	waitHung(27)
	after := s.save(t, "/debug/pprof/goroutine?debug=2")

	r := leakcheck(t, lc, nil, "diff", "-json", before, after)
	assert.Equal(t, exitFound, r.code, r.stderr)
	for _, fn := range []string{"main.main.func1", "net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop", "net/http.(*persistConn).roundTrip"} {
		rec := r.find(t, fn)
		assert.Equal(t, "suspect", rec.Verdict, fn)
		assert.Equal(t, 27, *rec.After, fn)
		assert.Contains(t, rec.Reason, "cause 1: grew from 5 to 27 in step with", fn)
	}
	r = leakcheck(t, lc, nil, "diff", before, after)
	assert.GreaterOrEqual(t, strings.Count(r.stdout, "[cause 1]"), 4, r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, ": suspect: cause 1:"), "one cause, shown as one:\n%s", r.stdout)
	assert.Contains(t, r.stdout, "cause 1, with it:\n")
	assert.Regexp(t, `\+22 \(5 to 27\) chan receive: main\.main\.func1 at \S+hungproxy/main\.go:\d+`, r.stdout)
}

// A 404 on goroutineleak from a service says what the profile needs, not
// to import net/http/pprof; rows stay short: a toolchain in the module
// cache is named by its version, and a row is cut at 200 characters.
func TestSmallThings(t *testing.T) {
	lc, _ := binaries(t)
	goroutines := readFixture(t, "go1.26-goroutine-debug1.txt")
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) { w.Write(goroutines) })
	srv := newLoopbackServer(t, mux)
	r := leakcheck(t, lc, nil, "inspect", srv.URL+"/debug/pprof/goroutineleak?debug=1")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "the service serves no goroutine leak profile: it needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile")
	assert.NotContains(t, r.stderr, "does it import net/http/pprof")

	r = leakcheck(t, lc, nil, "inspect", filepath.Join("testdata", "gotest", "go1.27-timeout.txt"))
	assert.Contains(t, r.stdout, "testing.(*M).startAlarm.func1 at go1.27.4/src/testing/testing.go:")
	long := "goroutine 7 [select]:\nexample.com/" + strings.Repeat("very/", 60) + "deep.(*Server).loop(0x1)\n\t/src/deep/server.go:10 +0x1\n"
	r = leakcheck(t, lc, strings.NewReader(long), "inspect", "-")
	assert.Equal(t, exitOK, r.code, r.stderr)
	rows := regexp.MustCompile(`(?m)^ +1  select +example\.com/.*$`).FindAllString(r.stdout, -1)
	require.Len(t, rows, 1, r.stdout)
	assert.LessOrEqual(t, len(rows[0]), 4+200-1+len("…"), "the row, indented by 4, cut at 200")
	assert.True(t, strings.HasSuffix(rows[0], "…"), rows[0])
}
