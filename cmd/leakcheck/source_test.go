package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testOptions() *options {
	o := newOptions("inspect", nil, io.Discard, io.Discard)
	if _, err := o.parse(nil); err != nil {
		panic(err)
	}
	return o
}

// inputs are every fixture the command can read.
func inputs(t testing.TB) map[string][]byte {
	t.Helper()
	var files []string
	for _, pattern := range []string{
		filepath.Join("testdata", "gotest", "*"),
		filepath.Join("testdata", "pasted", "*"),
		filepath.Join("..", "..", "internal", "stack", "testdata", "profiles", "*"),
		filepath.Join("..", "..", "internal", "stack", "testdata", "dumps", "*.txt"),
	} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	out := make(map[string][]byte)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[f] = b
	}
	return out
}

func TestReadAnyFixtures(t *testing.T) {
	for name, b := range inputs(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			snap, err := readAny(testOptions(), name, bytes.NewReader(b))
			if strings.Contains(name, "synthetic-empty") || strings.Contains(name, "synthetic-garbage") || strings.Contains(name, "synthetic-truncated") {
				return // the synthetic fixtures are made to fail; either way, no panic
			}
			require.NoError(t, err)
			assert.Positive(t, snap.total)
			sum := 0
			for _, gr := range snap.groups {
				sum += gr.Size()
			}
			assert.Equal(t, snap.total, sum)
		})
	}
}

func TestGoTestRunNames(t *testing.T) {
	tr := &testRun{running: []string{"TestA", "TestB/sub", "TestC/x", "TestC/y"}, failed: []string{"TestD"}}
	for fn, want := range map[string]string{
		"example.com/p.TestA":             "TestA",
		"example.com/p.TestA.func1":       "TestA",
		"example.com/p.TestB":             "TestB/sub",
		"example.com/p.TestC":             "TestC",
		"example.com/p.TestD.func2.1":     "TestD",
		"example.com/a/b.TestE":           "TestE",
		"example.com/p_test.BenchmarkF":   "BenchmarkF",
		"p.TestA":                         "TestA",
		"example.com/p.TestExampleHelper": "TestExampleHelper",
	} {
		assert.Equal(t, want, tr.testName(fn), fn)
	}
	assert.True(t, isTestFunc("example.com/p.TestA.func1"))
	assert.False(t, isTestFunc("example.com/p.helper"))
	assert.False(t, isTestFunc("testing.tRunner"))
	assert.True(t, tr.isRunning("TestB"))
	assert.False(t, tr.isRunning("TestD"))
}

// FuzzReadAny feeds anything to the command's reader of files: it must
// never panic, and what it accepts adds up.
//
//	go test -run '^$' -fuzz FuzzReadAny -fuzztime 1m ./cmd/leakcheck
func FuzzReadAny(f *testing.F) {
	for _, b := range inputs(f) {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("panic: test timed out after 1s\n\trunning tests:\n\t\tTestX (1s)\n\ngoroutine 1 [running]:\nmain.TestX()\n\tx.go:1 +0x1\ntesting.tRunner()\n\tt.go:1 +0x1\n"))
	// Wrapped as logs wrap them.
	dump := "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/x.go:3 +0x1\n"
	for _, p := range prefixers {
		f.Add([]byte(p.wrap(dump)))
	}
	f.Add([]byte(testJSON(dump)))
	f.Add([]byte("goroutineleak profile: total 1\n1 @\n#\t0x0\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o := testOptions()
		o.partial = true
		snap, err := readAny(o, "fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		sum := 0
		for _, gr := range snap.groups {
			sum += gr.Size()
			if snap.tests != nil {
				snap.tests.testOf(gr.First())
			}
		}
		if sum != snap.total || sum <= 0 {
			t.Fatalf("groups add up to %d, total %d", sum, snap.total)
		}
		judgeSnapshot(o, snap)
	})
}

// Wrappings are recognised from the first lines, and only when (nearly)
// every line has them.
func TestDetectWrapping(t *testing.T) {
	dump := "goroutine 1 [running]:\nmain.main()\n\t/x.go:3 +0x1\n\ngoroutine 2 [select]:\nmain.f()\n\t/x.go:9 +0x1\n"
	for name, p := range prefixers {
		w := detectWrapping([]byte(p.wrap(dump)))
		if assert.NotNil(t, w, name) {
			assert.Contains(t, p.said, w.what, name)
		}
	}
	for _, text := range []string{
		dump,
		"goroutine profile: total 3\n2 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/x.go:1\n\n1 @ 0x3\n#\t0x3\tmain.g+0x1\t/x.go:2\n",
		"> goroutine 1 [running]:\n> main.main()\n>     /x.go:3 +0x1\n",
		"    goroutine 1 [running]:\n    main.main()\n        /x.go:3 +0x1\n",
		"1 @ 0x1\n2 @ 0x2\n3 @ 0x3\n",
		"goroutine 1 [running]:\ngoroutine 2 [running]:\ngoroutine 3 [running]:\n",
		"[a] x\n[b] y\n[c] z\n",
	} {
		assert.Nil(t, detectWrapping([]byte(text)), "%q", text)
	}
	// A log whose own lines lack the prefix, here and there.
	mixed := prefixers["GitHub Actions"].wrap(dump + dump + dump)
	mixed = strings.Replace(mixed, "\n", "\n##[error]Process completed with exit code 1.\n", 1)
	assert.NotNil(t, detectWrapping([]byte(mixed)))
}

// FuzzUnwrap: undoing a wrapping never panics, and gives back the text
// that was wrapped, in pieces of any size.
//
//	go test -run '^$' -fuzz FuzzUnwrap -fuzztime 1m ./cmd/leakcheck
func FuzzUnwrap(f *testing.F) {
	for _, b := range inputs(f) {
		f.Add(string(b[:min(len(b), 2048)]), 0)
	}
	f.Add("goroutine 1 [running]:\nmain.main()\n\t/x.go:3 +0x1\n", 1)
	f.Add("a\r\nb\n\nc", 2)
	f.Add(`{"Action":"output","Output":"x"}`, 3)
	f.Fuzz(func(t *testing.T, text string, how int) {
		names := []string{"GitHub Actions", "journald", "docker compose", "log package"}
		wrapped := text
		if how > 0 {
			wrapped = prefixers[names[how%len(names)]].wrap(text)
		}
		br := bufio.NewReaderSize(iotest.HalfReader(strings.NewReader(wrapped)), 64<<10)
		r, what := unwrap(br)
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if what == "" && string(got) != wrapped {
			t.Fatalf("no wrapping found, but the text changed:\n%q\n%q", wrapped, got)
		}
		// Text whose lines are whole, printable and unprefixed comes back
		// as it was before wrapping.
		if how > 0 && what != "" && plainLines(text) && !strings.HasPrefix(what, "the \"go test") {
			want := strings.TrimSuffix(text, "\n") + "\n"
			if string(got) != want {
				t.Fatalf("%s: unwrapped\n%q\nwant\n%q", what, got, want)
			}
		}
	})
}

// plainLines reports whether text has lines that no prefix pattern can
// start, of printable ASCII, and no line longer than the read buffer.
func plainLines(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if len(l) > 4096 || strings.ContainsAny(l, "\r") {
			return false
		}
		for _, c := range []byte(l) {
			if c < 0x20 && c != '\t' || c > 0x7e {
				return false
			}
		}
		if l != "" && (l[0] >= '0' && l[0] <= '9' || l[0] >= 'A' && l[0] <= 'Z') {
			return false // could be read as a date or a syslog prefix again
		}
	}
	return true
}

// A dump whose every goroutine is a kind of its own (generated, not any
// program's) is turned away once its kinds fill the memory bound, rather
// than held whole.
func TestReadDumpBoundsKinds(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		frame := strings.Repeat("example.com/deep.f(0x1, 0x2)\n\t/src/deep/f.go:10 +0x1d\n", 20)
		for i := 0; ; i++ {
			_, err := fmt.Fprintf(pw, "goroutine %d [chan receive]:\nexample.com/p.unique%d()\n\t/src/p/p.go:1 +0x1\n%s\n", i+1, i, frame)
			if err != nil {
				return
			}
		}
	}()
	defer pr.Close()
	_, err := readAny(testOptions(), "generated", pr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more kinds of goroutine than leakcheck keeps")
}

// FuzzLineWrappings: the fast readers of a line's wrapping agree with
// the slow ones: the timestamp prefix with its regular expression, the
// Output of a "go test -json" event with encoding/json.
//
//	go test -run '^$' -fuzz FuzzLineWrappings -fuzztime 1m ./cmd/leakcheck
func FuzzLineWrappings(f *testing.F) {
	f.Add("2023-05-01T10:00:00.1234567Z goroutine 1 [running]:")
	f.Add("2023-05-01T10:00:00+02:00 x")
	f.Add("2023-05-01T10:00:00-0700")
	f.Add(`{"Time":"2023-05-01T10:00:00Z","Action":"output","Package":"p","Output":"a\tb\n"}`)
	f.Add(`{"Action":"output","Output":"x\"y\\z\u003c"}`)
	f.Add("\tmain.f(0x1, {0x2, 0x3})\n")
	f.Fuzz(func(t *testing.T, line string) {
		want := -1
		if loc := linePrefixes[0].re.FindStringIndex(line); loc != nil {
			want = loc[1]
		}
		if got := rfc3339End([]byte(line)); got != want {
			t.Fatalf("rfc3339End(%q) = %d, the regular expression says %d", line, got, want)
		}

		ev, err := json.Marshal(map[string]string{"Time": "2023-05-01T10:00:00Z", "Action": "output", "Package": "p", "Output": line})
		if err != nil {
			t.Fatal(err)
		}
		var decoded struct{ Output string }
		if err := json.Unmarshal(ev, &decoded); err != nil {
			t.Fatal(err)
		}
		if got := testJSONOutput(ev); string(got) != decoded.Output {
			t.Fatalf("testJSONOutput(%s) = %q, want %q", ev, got, decoded.Output)
		}
		if out, ok := quickOutput([]byte(line)); ok {
			var ev struct{ Action, Output string }
			if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Action != "output" || ev.Output != string(out) {
				t.Fatalf("quickOutput(%q) = %q, encoding/json: %+v, %v", line, out, ev, err)
			}
		}
	})
}
