package publish

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("TestVeryLong/", 20)
	cases := []struct{ in, want string }{
		{"pkg.TestX", "pkg.TestX"},
		{"pkg.TestX/sub test", "pkg.TestX__sub_test"},
		{"../../etc/passwd", "______etc__passwd"},
		{"..", "_"},
		{".", "leak"},
		{".hidden", "hidden"},
		{"-rf", "rf"},
		{"", "leak"},
		{`a\b:c*d?e"f<g>h|i`, "a_b_c_d_e_f_g_h_i"},
		{"Test/ünïcode", "Test___n_code"},
		{"a...b", "a_.b"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, SafeFileName(c.in), "%q", c.in)
	}
	for _, in := range []string{long, long + "x", "../" + long} {
		got := SafeFileName(in)
		assert.LessOrEqual(t, len(got), maxFileName, in)
		assert.NotContains(t, got, "..")
		assert.Equal(t, filepath.Base(got), got)
	}
	assert.NotEqual(t, SafeFileName(long), SafeFileName(long+"x"), "cut names stay apart")
}

func TestCreateUniqueNeverOverwrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	var (
		mu    sync.Mutex
		names []string
		wg    sync.WaitGroup
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := CreateUnique(dir, "pkg.TestX", ".pb.gz")
			if !assert.NoError(t, err) {
				return
			}
			f.Close()
			mu.Lock()
			names = append(names, f.Name())
			mu.Unlock()
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, n := range names {
		assert.False(t, seen[n], "%s created twice", n)
		seen[n] = true
		assert.Equal(t, dir, filepath.Dir(n))
	}
	assert.Len(t, seen, 20)
	assert.True(t, seen[filepath.Join(dir, "pkg.TestX.pb.gz")])
	assert.True(t, seen[filepath.Join(dir, "pkg.TestX.20.pb.gz")])
}

// Records appended from many goroutines at once, each reopening the file,
// come out whole, one a line: the same O_APPEND single write that keeps
// the records of several test binaries apart.
func TestAppendJSONLinesConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ci", "leaks.jsonl")
	big := strings.Repeat("x", 64<<10) // larger than any pipe buffer
	var files JSONFiles
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs := []JSONRecord{
				{Test: fmt.Sprint("Test", i), Kind: report.Kind{Count: 1, Stack: big}},
				{Test: fmt.Sprint("Test", i), Kind: report.Kind{Count: 2}},
			}
			assert.NoError(t, files.Append(path, recs))
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	lines, next := 0, map[string]int{}
	for sc.Scan() {
		var r JSONRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line %d", lines)
		lines++
		next[r.Test]++
		assert.Equal(t, next[r.Test], r.Count, "records of one check stay in order and together")
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, 32, lines)
}

func TestAppendJSONLinesError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o666))
	assert.Error(t, new(JSONFiles).Append(filepath.Join(file, "leaks.jsonl"), []JSONRecord{{}}))
}

func leakedGoroutine(id uint64, state string, leaked bool, fns ...string) *stack.Goroutine {
	g := &stack.Goroutine{ID: id, State: state, Proven: leaked, CreatedBy: stack.Frame{Function: "pkg.TestX", File: "/src/x_test.go", Line: 9}}
	for i, fn := range fns {
		g.Frames = append(g.Frames, stack.Frame{Function: fn, File: "/src/x.go", Line: 10 + i})
	}
	g.Stack = fmt.Sprintf("goroutine %d [%s]:\n...", id, state)
	return g
}

// The profile round-trips through the pprof library with one sample per
// distinct stack and proof, counted, inside each kind of leak.
func TestBuildProfile(t *testing.T) {
	a1 := leakedGoroutine(1, "chan send", false, "pkg.send", "pkg.run")
	a2 := leakedGoroutine(2, "chan send", false, "pkg.send", "pkg.run")
	a3 := leakedGoroutine(3, "chan send", true, "pkg.send", "pkg.run") // proven: own sample
	a4 := leakedGoroutine(4, "chan send", false, "pkg.send", "pkg.run")
	a4.Frames[1].Line = 99 // another call site: own sample, same kind
	b1 := leakedGoroutine(5, "select", false, "pkg.loop")
	leaks := []*stack.Goroutine{a1, b1, a2, a3, a4}
	groups := []*Group{
		{Test: "TestX", Fingerprint: report.Fingerprint(a1), Goroutines: []*stack.Goroutine{a1, a2, a3, a4}},
		{Test: "TestX", Fingerprint: report.Fingerprint(b1), Goroutines: []*stack.Goroutine{b1}},
	}
	var buf bytes.Buffer
	require.NoError(t, profileOf(groups, "TestX", time.Now(), nil).Write(&buf))
	p, err := profile.Parse(&buf)
	require.NoError(t, err)
	require.NoError(t, p.CheckValid())

	type sample struct {
		value        int64
		state, proof string
		stack        string
	}
	var got []sample
	for _, s := range p.Sample {
		var frames []string
		for _, loc := range s.Location {
			l := loc.Line[0]
			frames = append(frames, fmt.Sprintf("%s %s:%d", l.Function.Name, l.Function.Filename, l.Line))
		}
		got = append(got, sample{s.Value[0], s.Label["state"][0], s.Label["proven"][0], strings.Join(frames, " < ")})
		assert.Equal(t, []string{"TestX"}, s.Label["test"])
		assert.Equal(t, []string{"pkg.TestX at /src/x_test.go:9"}, s.Label["created_by"])
	}
	assert.Equal(t, []sample{
		{2, "chan send", "false", "pkg.send /src/x.go:10 < pkg.run /src/x.go:11"},
		{1, "chan send", "true", "pkg.send /src/x.go:10 < pkg.run /src/x.go:11"},
		{1, "chan send", "false", "pkg.send /src/x.go:10 < pkg.run /src/x.go:99"},
		{1, "select", "false", "pkg.loop /src/x.go:10"},
	}, got)
	assert.Len(t, p.Function, 3, "functions shared between samples")

	recs := JSONRecords(groups, "TestX", 1500*time.Millisecond, "", nil)
	require.Len(t, recs, 2)
	assert.Equal(t, []uint64{1, 2, 3, 4}, recs[0].GoroutineIDs)
	assert.False(t, recs[0].Proven, "proven only when all are")
	assert.Equal(t, 1.5, recs[0].CheckSeconds)
	assert.Equal(t, report.Frame{Function: "pkg.send", File: "/src/x.go", Line: 10}, recs[0].Top)
	assert.Equal(t, report.Frame{Function: "pkg.TestX", File: "/src/x_test.go", Line: 9}, recs[0].CreatedBy)
	assert.Len(t, report.GroupByKind(leaks), 2)
}
