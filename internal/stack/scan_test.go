package stack

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanAll reads every goroutine of r with a Scanner, cloning each.
func scanAll(t testing.TB, r io.Reader) ([]Goroutine, *Scanner) {
	t.Helper()
	s := NewScanner(r)
	var gs []Goroutine
	for s.Scan() {
		gs = append(gs, Clone(s.Goroutine()))
	}
	return gs, s
}

func TestScannerMatchesParseOnFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "dumps", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			want := Parse(string(b))
			// One byte at a time too, so that lines cross reads.
			for _, r := range []io.Reader{strings.NewReader(string(b)), iotest.OneByteReader(strings.NewReader(string(b)))} {
				got, s := scanAll(t, r)
				require.NoError(t, s.Err())
				require.Len(t, got, len(want))
				for i := range want {
					assert.True(t, sameGoroutine(want[i], got[i]), "goroutine %d differs:\n%#v\n%#v", i, want[i], got[i])
				}
			}
		})
	}
}

func TestScannerOutsideAndEndsDump(t *testing.T) {
	text := "=== RUN   TestX\npanic: test timed out after 2s\n\trunning tests:\n\t\tTestX (2s)\n\n" +
		"goroutine 7 [running]:\nmain.f()\n\t/x.go:1 +0x1\n\n" +
		"goroutine 8 [chan receive]:\nmain.g()\n\t/x.go:2 +0x1\ncreated by main.h in goroutine 7\n\t/x.go:3 +0x2\n" +
		"FAIL\texample.com/x\t2.01s\nexit status 2\n"
	var outside []string
	s := NewScanner(strings.NewReader(text))
	s.Outside = func(line string) { outside = append(outside, line) }
	s.EndsDump = func(line string) bool { return strings.HasPrefix(line, "FAIL") }
	var gs []Goroutine
	for s.Scan() {
		gs = append(gs, Clone(s.Goroutine()))
	}
	require.NoError(t, s.Err())
	require.Len(t, gs, 2)
	assert.Equal(t, "goroutine 8 [chan receive]:\nmain.g()\n\t/x.go:2 +0x1\ncreated by main.h in goroutine 7\n\t/x.go:3 +0x2", gs[1].Stack)
	assert.Equal(t, []string{"=== RUN   TestX", "panic: test timed out after 2s", "\trunning tests:", "\t\tTestX (2s)", "",
		"FAIL\texample.com/x\t2.01s", "exit status 2"}, outside)
	assert.False(t, s.EndedMidLine())
}

func TestScannerCutShort(t *testing.T) {
	s := NewScanner(strings.NewReader("goroutine 7 [running]:\nmain.f()\n\t/x.go:1 +0x1\n\ngoroutine 8 [chan rec"))
	n := 0
	for s.Scan() {
		n++
	}
	assert.Equal(t, 2, n)
	assert.True(t, s.EndedMidLine())
}

func TestScannerReadError(t *testing.T) {
	s := NewScanner(iotest.TimeoutReader(iotest.HalfReader(strings.NewReader("goroutine 7 [running]:\nmain.f()\n\t/x.go:1 +0x1\n"))))
	for s.Scan() {
	}
	assert.ErrorIs(t, s.Err(), iotest.ErrTimeout)
}

func TestScannerLongLine(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	text := long + "\ngoroutine 7 [running]:\nmain.f(" + long + ")\n\t/x.go:1 +0x1\n"
	got, s := scanAll(t, strings.NewReader(text))
	require.NoError(t, s.Err())
	require.Len(t, got, 1)
	assert.Equal(t, Parse(text)[0].Frames, got[0].Frames)
}

// BenchmarkScanDump reads the same dump as BenchmarkParseDump, streamed.
func BenchmarkScanDump(b *testing.B) {
	dump := benchDump(b)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := NewScanner(strings.NewReader(dump))
		for s.Scan() {
		}
	}
}

// benchDump is a dump of 10,000 goroutines made from the blocks of a real
// one, renumbered.
func benchDump(b *testing.B) string {
	b.Helper()
	gs := Parse(readDump(b, "go1.26-basic.txt"))
	var sb strings.Builder
	for i := range 10000 {
		g := gs[i%len(gs)]
		_, rest, _ := strings.Cut(g.Stack, " [")
		sb.WriteString("goroutine ")
		sb.WriteString(strconv.Itoa(i + 1))
		sb.WriteString(" [")
		sb.WriteString(rest)
		sb.WriteString("\n\n")
	}
	return sb.String()
}

// repairText applies RepairLine to every line of text, as a Scanner does.
func repairText(text string) string {
	var b strings.Builder
	var scratch []byte
	for text != "" {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line = text[:i+1]
		}
		text = text[len(line):]
		b.Write(RepairLine([]byte(line), &scratch))
	}
	return b.String()
}

func TestRepairLine(t *testing.T) {
	for in, want := range map[string]string{
		"goroutine 1 [running]:\n":                   "goroutine 1 [running]:\n",
		"\t/usr/local/go/src/x.go:12 +0x1d\n":        "\t/usr/local/go/src/x.go:12 +0x1d\n",
		"        /usr/local/go/src/x.go:12 +0x1d\n":  "\t/usr/local/go/src/x.go:12 +0x1d\n",
		"    C:/Program Files/Go/src/x.go:12\r\n":    "\tC:/Program Files/Go/src/x.go:12\r\n",
		"/usr/local/go/src/x.go:12 +0x1d\n":          "\t/usr/local/go/src/x.go:12 +0x1d\n",
		"> goroutine 1 [running]:\n":                 "goroutine 1 [running]:\n",
		">> \t/x.go:1\n":                             "\t/x.go:1\n",
		"> >     /x.go:1 +0x1\n":                     "\t/x.go:1 +0x1\n",
		"    main.main()\n":                          "main.main()\n",
		"    created by main.f in goroutine 7\n":     "created by main.f in goroutine 7\n",
		"created by main.f in goroutine 7\n":         "created by main.f in goroutine 7\n",
		"        TestX (2s)\n":                       "TestX (2s)\n",
		"   \n":                                      "\n",
		" >\n":                                       "\n",
		"\tgoroutine running on other thread\n":      "\tgoroutine running on other thread\n",
		"main.f(0x1, 0x2)\n":                         "main.f(0x1, 0x2)\n",
		"	/x.go:1 fp=0xc000 sp=0xc000 pc=0x4a1b2c\n": "	/x.go:1 fp=0xc000 sp=0xc000 pc=0x4a1b2c\n",
		"  /x.go:1 fp=0xc000 sp=0xc000 pc=0x4a1b2c":  "\t/x.go:1 fp=0xc000 sp=0xc000 pc=0x4a1b2c",
	} {
		var scratch, scratch2 []byte
		got := string(RepairLine([]byte(in), &scratch))
		assert.Equal(t, want, got, "%q", in)
		assert.Equal(t, got, string(RepairLine([]byte(got), &scratch2)), "repairing %q again", got)
	}
}

// A dump as pasted, tabs turned into spaces and quoted, reads as the
// dump itself.
func TestScannerReadsPastedDumps(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dumps", "go1.26-basic.txt"))
	require.NoError(t, err)
	want := Parse(string(b))
	for name, paste := range map[string]func(string) string{
		"tabs to 4 spaces": func(s string) string { return strings.ReplaceAll(s, "\t", "    ") },
		"tabs to 8 spaces": func(s string) string { return strings.ReplaceAll(s, "\t", "        ") },
		"tabs lost":        func(s string) string { return strings.ReplaceAll(s, "\t", "") },
		"quoted":           func(s string) string { return "> " + strings.ReplaceAll(s, "\n", "\n> ") },
		"quoted, spaces":   func(s string) string { return ">" + strings.ReplaceAll(strings.ReplaceAll(s, "\t", "  "), "\n", "\n>") },
		"indented": func(s string) string {
			return "    " + strings.ReplaceAll(strings.ReplaceAll(s, "\t", "    "), "\n", "\n    ")
		},
		"CRLF": func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\t", "  "), "\n", "\r\n") },
	} {
		t.Run(name, func(t *testing.T) {
			got, s := scanAll(t, strings.NewReader(paste(string(b))))
			require.NoError(t, s.Err())
			require.Len(t, got, len(want))
			for i := range want {
				w, g := want[i], got[i]
				assert.Equal(t, w.ID, g.ID)
				assert.Equal(t, w.State, g.State)
				assert.Equal(t, w.Frames, g.Frames, "goroutine %d", w.ID)
				assert.Equal(t, w.CreatedBy, g.CreatedBy, "goroutine %d", w.ID)
				assert.Equal(t, w.ParentID, g.ParentID)
			}
		})
	}
}

// FuzzScanMatchesParse checks that the streaming Scanner yields the same
// goroutines as Parse on any input, once repaired, and never panics.
//
//	go test -run '^$' -fuzz FuzzScanMatchesParse -fuzztime 1m .
func FuzzScanMatchesParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "dumps", "*.txt"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		f.Add(string(b[:len(b)/3]))
	}
	f.Add("x\ngoroutine 1 [a]:\r\nf()\r\n\tx.go:1\r\n")
	f.Add("goroutine 1 [running]:\ngoroutine 2 gp=0x1 [x]:\n")
	f.Add("> goroutine 1 [running]:\n> main.f()\n>     /x.go:1 +0x1\n>\n")
	f.Add("goroutine 1 [running]:\n  main.f()\n/x.go:1\n        C:/a b/x.go:3 +0x1d\n")
	f.Fuzz(func(t *testing.T, dump string) {
		want := Parse(repairText(dump))
		got, s := scanAll(t, iotest.HalfReader(strings.NewReader(dump)))
		if s.Err() != nil {
			t.Fatal(s.Err())
		}
		if len(got) != len(want) {
			t.Fatalf("Scanner read %d goroutines, Parse %d", len(got), len(want))
		}
		for i := range want {
			if !sameGoroutine(want[i], got[i]) {
				t.Fatalf("goroutine %d differs:\n%#v\n%#v", i, want[i], got[i])
			}
		}
	})
}
