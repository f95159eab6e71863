package baseline

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

func TestParseBaseline(t *testing.T) {
	pf, err := parseBaseline(strings.NewReader(baselineHeader+baselineGoLine+`go1.26.8
ad7a14899ffcaed6 example.com/pkg TestServer: leak: internal/poll.runtime_pollWait in example.com/pkg.Serve, started by example.com/pkg.TestServer

48516bed1c6bf084 example.com/other TestX: leak: example.com/other.send
0123456789abcdef example.com/pkg
`), "b", "example.com/pkg")
	require.NoError(t, err)
	assert.Equal(t, baselineFormatThis, pf.format)
	assert.Equal(t, []string{"go1.26.8"}, pf.goVersions)
	assert.Equal(t, map[string]string{
		"ad7a14899ffcaed6": `ad7a14899ffcaed6 example.com/pkg TestServer: leak: internal/poll.runtime_pollWait in example.com/pkg.Serve, started by example.com/pkg.TestServer`,
		"0123456789abcdef": "0123456789abcdef example.com/pkg",
	}, pf.known)

	for _, bad := range []string{
		"ad7a14899ffcaed6\n",                        // no package
		"AD7A14899FFCAED6 example.com/pkg\n",        // not lower-case hex
		"ad7a14899ffcaed example.com/pkg\n",         // 15 digits
		`{"fingerprint":"ad7a14899ffcaed6"}` + "\n", // JSON is not a baseline
	} {
		_, err := parseBaseline(strings.NewReader(bad), "b", "example.com/pkg")
		assert.ErrorContains(t, err, "leakcheck: baseline b:1: want a 16-digit hex key and a package path", bad)
	}
}

// A file without entries needs no format line: an empty file, or one of
// comments, is a baseline that knows nothing.
func TestParseBaselineEmpty(t *testing.T) {
	for _, data := range []string{"", "\n\n", "# to be recorded\n"} {
		pf, err := parseBaseline(strings.NewReader(data), "b", "example.com/pkg")
		require.NoError(t, err, "%q", data)
		assert.Empty(t, pf.format)
		assert.Empty(t, pf.known)
	}
}

// A file of the first format, whose fingerprints included the state a
// goroutine was caught in, is rejected with what to do, rather than read
// with keys that would match differently; so is a format to come.
func TestParseBaselineOtherFormats(t *testing.T) {
	_, err := parseBaseline(strings.NewReader(`ad7a14899ffcaed6 example.com/pkg TestServer: 1 in "IO wait" at internal/poll.runtime_pollWait`+"\n"),
		"/src/leakcheck.baseline", "example.com/pkg")
	assert.EqualError(t, err, `leakcheck: baseline /src/leakcheck.baseline was written by an earlier leakcheck, whose keys depended on the state each goroutine was caught in (it has no "# leakcheck baseline, format 3" line); delete it and record it again: LEAKCHECK_BASELINE=/src/leakcheck.baseline LEAKCHECK_BASELINE_UPDATE=1 go test ./...`)

	_, err = parseBaseline(strings.NewReader("# leakcheck baseline, format 4: more to come\nad7a14899ffcaed6 example.com/pkg\n"), "b", "example.com/pkg")
	assert.EqualError(t, err, `leakcheck: baseline b:1: format "4", which this leakcheck does not read (it reads formats 2 and 3); delete the file and record it again with this leakcheck (LEAKCHECK_BASELINE_UPDATE)`)

	// Format 2 is read, in its own keys.
	pf, err := parseBaseline(strings.NewReader("# leakcheck baseline, format 2: x\nad7a14899ffcaed6 example.com/pkg\n"), "b", "example.com/pkg")
	require.NoError(t, err)
	assert.Equal(t, baselineFormat2, pf.format)
	assert.Len(t, pf.known, 1)
	_, err = parseBaseline(strings.NewReader("# leakcheck baseline, format 2: x\n# leakcheck baseline, format 3: y\n"), "b", "example.com/pkg")
	assert.ErrorContains(t, err, "mixes keys of two formats")
}

// FuzzParseBaseline checks that any file content gives entries or an
// error naming the file, never a panic, and that every entry kept is a
// key of the package asked for, from a file that says its format.
//
//	go test -run '^$' -fuzz FuzzParseBaseline -fuzztime 1m .
func FuzzParseBaseline(f *testing.F) {
	f.Add(baselineHeader + "ad7a14899ffcaed6 example.com/pkg TestServer: leak: pkg.f\n# comment\n\n")
	f.Add("ad7a14899ffcaed6 example.com/pkg\r\n48516bed1c6bf084 example.com/other x\n" + baselineFormat + "2\n")
	f.Add("ad7a14899ffcaed6 example.com/pkg TestServer: 1 in \"IO wait\"\n")
	f.Add(baselineFormat + "\n" + baselineFormat + "2:\n")
	f.Add(baselineHeader + baselineGoLine + "go1.26.8\n" + baselineGoLine + "\nad7a14899ffcaed6 example.com/pkg\n")
	f.Add("\x00\xff garbage")
	f.Add(strings.Repeat("a", 70000))
	f.Fuzz(func(t *testing.T, data string) {
		pf, err := parseBaseline(strings.NewReader(data), "b", "example.com/pkg")
		known := pf.known
		if err != nil {
			if !strings.HasPrefix(err.Error(), "leakcheck: baseline b") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		for _, v := range pf.goVersions {
			if v == "" || strings.TrimSpace(v) != v {
				t.Fatalf("Go version %q", v)
			}
		}
		if len(known) > 0 && pf.format == "" {
			t.Fatalf("entries read from a file without its format line")
		}
		for key, line := range known {
			if !IsFingerprint(key) || !strings.HasPrefix(line, key+" ") && line != key {
				t.Fatalf("entry %q for line %q", key, line)
			}
			if f := strings.Fields(line); len(f) < 2 || f[1] != "example.com/pkg" {
				t.Fatalf("line %q of another package kept", line)
			}
		}
	})
}

func sleeper(state string) *stack.Goroutine {
	return &stack.Goroutine{
		ID:    7,
		State: state,
		Frames: []stack.Frame{
			{Function: "time.Sleep", File: filepath.ToSlash(filepath.Join(runtime.GOROOT(), "src", "runtime", "time.go")), Line: 300},
			{Function: "example.com/pkg.(*Client).cleaner", File: "/src/pkg/client.go", Line: 40},
		},
		CreatedBy: stack.Frame{Function: "example.com/pkg.NewClient", File: "/src/pkg/client.go", Line: 30},
	}
}

// A baseline knows a kind whatever state its goroutines are caught in: a
// cleaner recorded asleep is known when caught runnable on its way out.
func TestBaselineKindIgnoresState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	b := &File{path: path, update: true, known: map[string]string{}, seen: map[string]bool{}, written: map[string]bool{}}
	lines, err := b.record("TestIdle", recordedSlowExit, []*stack.Goroutine{sleeper("sleep")})
	require.NoError(t, err)
	require.Len(t, lines, 1)
	assert.Regexp(t, `^[0-9a-f]{16} `+regexp.QuoteMeta(baselinePackage())+` TestIdle: slow exit: time.Sleep in example.com/pkg.\(\*Client\).cleaner, started by example.com/pkg.NewClient$`, lines[0])

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, baselineHeader+baselineGoLine+runtime.Version()+"\n"+lines[0]+"\n", string(data))

	loaded, err := new(Registry).Open(path, false)
	require.NoError(t, err)
	unknown, known := loaded.Split([]*stack.Goroutine{sleeper("runnable"), sleeper("sleep")})
	assert.Empty(t, unknown)
	assert.Len(t, known, 2)
	assert.NotEqual(t, report.Fingerprint(sleeper("runnable")), report.Fingerprint(sleeper("sleep")), "the report's kinds keep the state")
}

// Recording again merges: kinds already in the file are not added twice,
// and the format line is written once, by whoever creates the file, also
// when several test binaries record into it at once.
func TestBaselineRecordMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	other := sleeper("sleep")
	other.CreatedBy.Function = "example.com/pkg.NewPool"

	var wg sync.WaitGroup
	for _, g := range []*stack.Goroutine{sleeper("sleep"), other, sleeper("runnable")} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A process of its own: a baseline loaded before any wrote.
			b := &File{path: path, update: true, known: map[string]string{}, seen: map[string]bool{}, written: map[string]bool{}}
			_, err := b.record("TestX", recordedLeak, []*stack.Goroutine{g})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(data), baselineFormat), string(data))

	b, err := new(Registry).Open(path, true)
	require.NoError(t, err)
	assert.Len(t, b.known, 2, "the same kind recorded by two processes counts once:\n%s", data)
	lines, err := b.record("TestY", recordedLeak, []*stack.Goroutine{sleeper("runnable"), other})
	require.NoError(t, err)
	assert.Empty(t, lines, "known kinds are not added again")
}

// An empty file named as the baseline gets its format line with the
// first kind recorded into it.
func TestBaselineRecordIntoEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	require.NoError(t, os.WriteFile(path, []byte("# ours\n"), 0o666))
	b, err := new(Registry).Open(path, true)
	require.NoError(t, err)
	_, err = b.record("TestX", recordedSingleton, []*stack.Goroutine{sleeper("sleep")})
	require.NoError(t, err)
	again, err := new(Registry).Open(path, false)
	require.NoError(t, err, "the file must read back")
	assert.Len(t, again.known, 1)
}
