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
		// goleak's framing, a lost letter, Markdown, go test's old indentation.
		"        [Goroutine 12 in state chan send, with example.com/p.f on top of the stack:\n":              "goroutine 12 [chan send]:\n",
		" Goroutine 13 in state sync.Mutex.Lock, with sync.runtime_SemacquireMutex on top of the stack:\r\n": "goroutine 13 [sync.Mutex.Lock]:\r\n",
		"[Goroutine 1 in state running first func: x:\n":                                                     "[Goroutine 1 in state running first func: x:\n",
		"        ]\n":                           "\n",
		"oroutine 6 [chan receive]:\n":          "goroutine 6 [chan receive]:\n",
		"oroutine is a word\n":                  "oroutine is a word\n",
		"`fatal error: concurrent map writes\n": "fatal error: concurrent map writes\n",
		"```\n":                                 "\n",
		"\t\tgoroutine 19 [IO wait]:\n":         "goroutine 19 [IO wait]:\n",
		"\t\tmain.f(0x1)\n":                     "main.f(0x1)\n",
		"\t\t\t/src/x.go:12 +0x1d\n":            "\t/src/x.go:12 +0x1d\n",
		"\t\tan over-indented line\n":           "\t\tan over-indented line\n",
		"\t\t\n":                                "\n",
		"[originating from goroutine 5]:\n":     "[originating from goroutine 5]:\n",
	} {
		var scratch, scratch2 []byte
		got := string(RepairLine([]byte(in), &scratch))
		assert.Equal(t, want, got, "%q", in)
		assert.Equal(t, got, string(RepairLine([]byte(got), &scratch2)), "repairing %q again", got)
	}
}

// goleak's failure message lists goroutines in either of its forms: the
// Scanner reads each once, marked as goleak's, with its stack free of
// goleak's framing; goroutines outside the list are not marked.
func TestScannerReadsGoleakReports(t *testing.T) {
	v13 := "    x_test.go:9: found unexpected goroutines:\n" +
		"        [Goroutine 12 in state chan send, with example.com/p.f on top of the stack:\n" +
		"        example.com/p.f(0x1)\n        \t/src/p/f.go:8 +0x1d\n" +
		"        created by example.com/p.Start in goroutine 7\n        \t/src/p/f.go:3 +0x2a\n" +
		"         Goroutine 13 in state select, with example.com/p.g on top of the stack:\n" +
		"        example.com/p.g()\n        \t/src/p/g.go:4 +0x11\n        ]\n" +
		"--- FAIL: TestX (0.44s)\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n"
	old := "\tx_test.go:9: found unexpected goroutines:\n" +
		"\t\t[Goroutine 12 in state chan send, with example.com/p.f on top of the stack:\n" +
		"\t\tgoroutine 12 [chan send]:\n\t\texample.com/p.f(0x1)\n\t\t\t/src/p/f.go:8 +0x1d\n\t\t\n" +
		"\t\t Goroutine 13 in state select, with example.com/p.g on top of the stack:\n" +
		"\t\tgoroutine 13 [select]:\n\t\texample.com/p.g()\n\t\t\t/src/p/g.go:4 +0x11\n\t\t]\n" +
		"\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n"
	for name, text := range map[string]string{"v1.3": v13, "before v1.3": old} {
		s := NewScanner(strings.NewReader(text))
		s.EndsDump = func(line string) bool { return strings.HasPrefix(line, "--- ") }
		var ids []uint64
		var framed []bool
		for s.Scan() {
			g := s.Goroutine()
			ids = append(ids, g.ID)
			framed = append(framed, s.Framed())
			assert.NotContains(t, g.Stack, "Goroutine", name)
			assert.NotRegexp(t, `(?m)^\s*\]\s*$`, g.Stack, name)
			assert.Equal(t, 0, Garbled(g), name)
			switch g.ID {
			case 12:
				assert.Equal(t, "chan send", g.State, name)
				assert.Equal(t, "example.com/p.f", g.TopFunction(), name)
				assert.Equal(t, Frame{Function: "example.com/p.f", File: "/src/p/f.go", Line: 8}, g.Frames[0], name)
			case 13:
				assert.Equal(t, "select", g.State, name)
			}
		}
		assert.Equal(t, []uint64{12, 13, 1}, ids, name)
		assert.Equal(t, []bool{true, true, false}, framed, name)
	}
}

// Lines that no runtime writes, as two outputs written at once make, are
// counted; a whole dump has none.
func TestGarbled(t *testing.T) {
	for _, file := range []string{"go1.26-basic.txt", "go1.27-system.txt", "go1.27-labels.txt", "synthetic-garbage.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "dumps", file))
		require.NoError(t, err)
		for _, g := range Parse(string(b)) {
			assert.Zero(t, Garbled(&g), "%s: goroutine %d", file, g.ID)
		}
	}
	gs := Parse("goroutine 1 [chan send]f6279d8, 0x:\nmain.f(0x0?)\n\t/src/main.go:/src/ma139 +0x331\n" +
		"goroutine 2 [select]:\nmain.g()\n\t/src/main.go:12 +0x1\n")
	require.Len(t, gs, 2)
	assert.Positive(t, Garbled(&gs[0]))
	assert.Zero(t, Garbled(&gs[1]))
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
	f.Add("    [Goroutine 12 in state chan send, with p.f on top of the stack:\n    p.f()\n    \t/x.go:1 +0x1\n     Goroutine 13 in state select, with p.g on top of the stack:\n    p.g()\n    ]\n")
	f.Add("\t\t[Goroutine 12 in state chan send, with p.f on top of the stack:\n\t\tgoroutine 12 [chan send]:\n\t\tp.f()\n\t\t\t/x.go:1 +0x1\n\t\t]\n")
	f.Add("`oroutine 6 [chan receive]:\n```\nmain.f()\n\t/x.go:1\n")
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
