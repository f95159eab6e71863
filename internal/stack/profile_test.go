package stack

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures in testdata/profiles were fetched from
// cmd/leakcheck/testdata/leakyservice, run with -workers 5 after three
// requests each to /leak, /work and /job, on go1.26.8 and go1.27.4:
// /debug/pprof/goroutine?debug=0, 1 and 2, and goroutineleak (go1.27).

func readProfile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "profiles", name))
	require.NoError(t, err)
	return b
}

// byTop indexes records by their innermost function outside the runtime.
func byTop(rs []Record) map[string]Record {
	m := make(map[string]Record)
	for _, r := range rs {
		for _, f := range r.Frames {
			if !strings.HasPrefix(f.Function, "runtime.") {
				m[f.Function] = r
				break
			}
		}
	}
	return m
}

func TestParseProto(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		t.Run(v, func(t *testing.T) {
			p, err := ParseProto(readProfile(t, v+"-goroutine.pb.gz"))
			require.NoError(t, err)
			assert.Equal(t, GoroutineProfile, p.Name)
			rs := p.Records
			top := byTop(rs)
			worker, leak := top["main.worker"], top["main.compute"]
			assert.Equal(t, 5, worker.Count)
			assert.Equal(t, "chan receive", worker.State)
			assert.Nil(t, worker.Labels)
			assert.Equal(t, 3, leak.Count)
			assert.Equal(t, "chan send", leak.State)
			assert.Equal(t, map[string]string{"handler": "leak"}, leak.Labels)
			assert.Equal(t, "main.compute", leak.Frames[0].Function, "the runtime frames a dump hides are left out, once they told the state")
			assert.Contains(t, leak.Frames[len(leak.Frames)-1].File, "leakyservice/main.go")
			assert.Equal(t, "IO wait", top["internal/poll.runtime_pollWait"].State)
			assert.Equal(t, "running", top["runtime/pprof.writeRuntimeProfile"].State)
			assert.Zero(t, leak.ID)
			assert.Contains(t, leak.Stack, "main.compute(...)\n\t")
			total := 0
			for _, r := range rs {
				total += r.Count
				for _, f := range r.Frames {
					assert.NotEqual(t, "runtime.goexit", f.Function)
					assert.NotEqual(t, "runtime.gopark", f.Function)
				}
			}
			assert.GreaterOrEqual(t, total, 10)
		})
	}
}

func TestParseProtoLeakProfile(t *testing.T) {
	p, err := ParseProto(readProfile(t, "go1.27-goroutineleak.pb.gz"))
	require.NoError(t, err)
	assert.Equal(t, GoroutineLeakProfile, p.Name)
	rs := p.Records
	require.Len(t, rs, 1)
	assert.Equal(t, 3, rs[0].Count)
	assert.Equal(t, "chan send", rs[0].State)
}

func TestParseProfileText(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		t.Run(v, func(t *testing.T) {
			p, err := ParseProfileText(bytes.NewReader(readProfile(t, v+"-goroutine-debug1.txt")))
			require.NoError(t, err)
			assert.Equal(t, GoroutineProfile, p.Name)
			top := byTop(p.Records)
			worker, leak := top["main.worker"], top["main.compute"]
			assert.Equal(t, 5, worker.Count)
			assert.Equal(t, 3, leak.Count)
			assert.Equal(t, map[string]string{"handler": "leak"}, leak.Labels)
			assert.Equal(t, "unknown", leak.State, "debug=1 leaves out the runtime frames that tell a channel wait")
			assert.Equal(t, "main.compute", leak.Frames[0].Function)
			assert.Equal(t, 82, leak.Frames[0].Line)
			assert.Equal(t, "IO wait", top["internal/poll.runtime_pollWait"].State)
		})
	}
	p, err := ParseProfileText(bytes.NewReader(readProfile(t, "go1.27-goroutineleak-debug1.txt")))
	require.NoError(t, err)
	assert.Equal(t, GoroutineLeakProfile, p.Name)
	require.Len(t, p.Records, 1)
	assert.Equal(t, 3, p.Records[0].Count)
}

// A text profile pasted into an issue, quoted and with its tabs turned
// into spaces, reads as the original.
func TestParseProfileTextPasted(t *testing.T) {
	raw := string(readProfile(t, "go1.27-goroutine-debug1.txt"))
	want, err := ParseProfileText(strings.NewReader(raw))
	require.NoError(t, err)
	pasted := "> " + strings.ReplaceAll(strings.ReplaceAll(raw, "\t", "    "), "\n", "\n> ")
	assert.Equal(t, FormatProfileText, Sniff([]byte(pasted)))
	got, err := ParseProfileText(strings.NewReader(pasted))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// Damaged text profiles: frame lines that lost their "#" read as frames
// still; a frame at address 0 is none (a sample without a stack, as a
// healthy go1.27 service's leak profile can hold); the total of the
// first line is returned, to be compared.
func TestScanProfileTextDamaged(t *testing.T) {
	raw := string(readProfile(t, "go1.27-goroutine-debug1.txt"))
	want, err := ParseProfileText(strings.NewReader(raw))
	require.NoError(t, err)
	for _, lost := range []string{"\n\t0x", "\n    0x", "\n0x"} {
		got, err := ParseProfileText(strings.NewReader(strings.ReplaceAll(raw, "\n#\t0x", lost)))
		require.NoError(t, err)
		assert.Equal(t, want, got, "frames as %q", lost)
	}

	var records []Record
	name, total, err := ScanProfileText(strings.NewReader("goroutineleak profile: total 1\n1 @\n#\t0x0\n\n"), func(r *Record) error {
		records = append(records, *r)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, GoroutineLeakProfile, name)
	assert.Equal(t, 1, total)
	require.Len(t, records, 1)
	assert.Empty(t, records[0].Frames, "address 0 is no frame")

	_, total, err = ScanProfileText(strings.NewReader("1 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n"), func(*Record) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, -1, total, "no first line")
}

func TestParseProfileTextRejectsOtherText(t *testing.T) {
	_, err := ParseProfileText(strings.NewReader("hello\nworld\n"))
	assert.ErrorIs(t, err, ErrNotGoroutineProfile)
	p, err := ParseProfileText(strings.NewReader("goroutine profile: total 0\n"))
	assert.NoError(t, err)
	assert.Empty(t, p.Records)
	p, err = ParseProfileText(strings.NewReader("goroutineleak profile: total 0\n"))
	assert.NoError(t, err)
	assert.Equal(t, GoroutineLeakProfile, p.Name, "an empty leak profile: nothing leaked")
	assert.Empty(t, p.Records)
}

func TestParseProtoErrors(t *testing.T) {
	_, err := ParseProto([]byte("not a profile"))
	assert.Error(t, err)
	b := readProfile(t, "go1.27-goroutine.pb.gz")
	_, err = ParseProto(b[:len(b)/2])
	assert.Error(t, err, "a cut-short gzip stream")
	_, err = ParseProto(nil)
	assert.Error(t, err)
}

func TestSniff(t *testing.T) {
	assert.Equal(t, FormatProto, Sniff(readProfile(t, "go1.27-goroutine.pb.gz")))
	assert.Equal(t, FormatProto, Sniff(gunzip(t, readProfile(t, "go1.27-goroutine.pb.gz"))))
	assert.Equal(t, FormatProfileText, Sniff(readProfile(t, "go1.27-goroutine-debug1.txt")))
	assert.Equal(t, FormatProfileText, Sniff(readProfile(t, "go1.27-goroutineleak-debug1.txt")))
	assert.Equal(t, FormatDump, Sniff(readProfile(t, "go1.27-goroutine-debug2.txt")))
	assert.Equal(t, FormatDump, Sniff([]byte("=== RUN TestX\n")))
	assert.Equal(t, FormatDump, Sniff(nil))
}

func gunzip(t *testing.T, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

func TestStateFromFrames(t *testing.T) {
	f := func(names ...string) []Frame {
		var fs []Frame
		for _, n := range names {
			fs = append(fs, Frame{Function: n})
		}
		return fs
	}
	for _, tc := range []struct {
		frames []Frame
		want   string
	}{
		{f("runtime.gopark", "runtime.selectgo", "main.f"), "select"},
		{f("runtime.gopark", "runtime.block", "main.f"), "select (no cases)"},
		{f("runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "internal/sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow"), "sync.Mutex.Lock"},
		{f("runtime.gopark", "runtime.semacquire1", "sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait"), "sync.WaitGroup.Wait"},
		{f("runtime.gopark", "runtime.notifyListWait", "sync.runtime_notifyListWait"), "sync.Cond.Wait"},
		{f("runtime.gopark", "time.Sleep", "main.f"), "sleep"},
		{f("main.f"), "unknown"},
		{f("runtime.gopark", "runtime.somethingNew", "main.f"), "unknown"},
		{nil, "unknown"},
	} {
		assert.Equal(t, tc.want, StateFromFrames(tc.frames), "%v", tc.frames)
	}
}

// FuzzParseProfiles checks that the profile readers never panic, and
// that whatever they accept has positive counts and a state.
//
//	go test -run '^$' -fuzz FuzzParseProfiles -fuzztime 1m .
func FuzzParseProfiles(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "profiles", "*"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err == nil {
				if raw, err := io.ReadAll(zr); err == nil {
					f.Add(raw)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(rs []Record) {
			for _, r := range rs {
				if r.Count <= 0 || r.State == "" {
					t.Fatalf("bad record %+v", r)
				}
			}
		}
		if p, err := ParseProto(data); err == nil {
			check(p.Records)
		}
		if p, err := ParseProfileText(bytes.NewReader(data)); err == nil {
			check(p.Records)
		}
		Sniff(data)
	})
}

func TestReadProtoBounds(t *testing.T) {
	// A gzip bomb: a few kilobytes that inflate past MaxProtoSize.
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range MaxProtoSize>>20 + 1 {
		zw.Write(zeros)
	}
	require.NoError(t, zw.Close())
	_, err := ReadProto(&bomb)
	assert.ErrorContains(t, err, "inflates to more than 32 MiB")

	// Binary data that is not a profile is turned away at its first byte.
	_, err = ReadProto(io.MultiReader(strings.NewReader("\x00\x01\x02"), neverEnding{}))
	assert.ErrorContains(t, err, "neither gzip nor a pprof profile")

	// So is random data whose first byte is a Profile's tag: its next
	// fields are not.
	random := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(random)
	for _, first := range []byte{'2', 0x0a, 0x12, 0x08} {
		random[0] = first
		_, err = ReadProto(bytes.NewReader(random))
		assert.ErrorContains(t, err, "neither gzip nor a pprof profile", "first byte %#x", first)
	}

	// A profile-looking stream that never ends is cut at MaxProtoSize:
	// a sample type of 30 MiB whose fields look right.
	_, err = ReadProto(io.MultiReader(strings.NewReader("\x0a\x80\x80\x80\x0f"), neverEnding{}))
	assert.ErrorContains(t, err, "is more than 32 MiB")
}

// Every real profile starts like one.
func TestStartsLikeProfile(t *testing.T) {
	for _, name := range []string{"go1.26-goroutine.pb.gz", "go1.27-goroutine.pb.gz", "go1.27-goroutineleak.pb.gz"} {
		zr, err := gzip.NewReader(bytes.NewReader(readProfile(t, name)))
		require.NoError(t, err)
		data, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.True(t, startsLikeProfile(data), name)
		// As google/pprof writes it (continuous profilers use it).
		p, err := profile.ParseData(data)
		require.NoError(t, err)
		p.Comments = []string{"a comment"}
		var buf bytes.Buffer
		require.NoError(t, p.WriteUncompressed(&buf))
		assert.True(t, startsLikeProfile(buf.Bytes()), "%s written by google/pprof", name)
		for _, n := range []int{1, 2, 7, 100, 4096} {
			assert.True(t, startsLikeProfile(data[:min(n, len(data))]), "%s cut at %d", name, n)
		}
	}
	assert.False(t, startsLikeProfile([]byte("2\x05hello")), "a string table that starts with a string")
}

// neverEnding is an endless stream of 'x'.
type neverEnding struct{}

func (neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
