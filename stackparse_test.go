package leakcheck_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakcheck/leakcheck"
)

// ParseDump reads this process's own dump: this test's goroutine, with
// its frames and the goroutine it blocks.
func TestParseDumpOfThisProcess(t *testing.T) {
	block := make(chan int)
	started := make(chan struct{})
	go func() {
		close(started)
		<-block
	}()
	<-started
	defer close(block)
	buf := make([]byte, 1<<20)
	var dump []byte
	for {
		dump = buf[:runtime.Stack(buf, true)]
		if bytes.Contains(dump, []byte("[chan receive]:\ngithub.com/leakcheck/leakcheck_test.TestParseDumpOfThisProcess.func1")) {
			break
		}
		runtime.Gosched()
	}
	gs, err := leakcheck.ParseDump(bytes.NewReader(dump))
	require.NoError(t, err)
	var me, blocked *leakcheck.Goroutine
	for i := range gs {
		switch gs[i].TopFunction() {
		case "github.com/leakcheck/leakcheck_test.TestParseDumpOfThisProcess":
			me = &gs[i]
		case "github.com/leakcheck/leakcheck_test.TestParseDumpOfThisProcess.func1":
			blocked = &gs[i]
		}
	}
	require.NotNil(t, me, "%s", dump)
	require.NotNil(t, blocked)
	assert.Equal(t, "running", me.State)
	assert.Equal(t, "chan receive", blocked.State)
	assert.Equal(t, me.ID, blocked.ParentID)
	assert.Equal(t, "github.com/leakcheck/leakcheck_test.TestParseDumpOfThisProcess", blocked.CreatedBy.Function)
	assert.True(t, strings.HasSuffix(blocked.Frames[0].File, "stackparse_test.go"), blocked.Frames[0].File)
}

// The same dump, pasted (quoted, tabs turned into spaces), from a reader
// that returns a byte at a time, reads the same.
func TestParseDumpPasted(t *testing.T) {
	for _, file := range []string{"go1.26-basic.txt", "go1.27-labels.txt", "go1.26-system.txt"} {
		b, err := os.ReadFile(filepath.Join("internal", "stack", "testdata", "dumps", file))
		require.NoError(t, err)
		want, err := leakcheck.ParseDump(bytes.NewReader(b))
		require.NoError(t, err)
		require.NotEmpty(t, want)
		pasted := "> " + strings.ReplaceAll(strings.ReplaceAll(string(b), "\t", "    "), "\n", "\n> ")
		got, err := leakcheck.ParseDump(iotest.OneByteReader(strings.NewReader(pasted)))
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for i := range want {
			assert.Equal(t, want[i].ID, got[i].ID)
			assert.Equal(t, want[i].State, got[i].State)
			assert.Equal(t, want[i].Labels, got[i].Labels)
			assert.Equal(t, want[i].Frames, got[i].Frames)
			assert.Equal(t, want[i].CreatedBy, got[i].CreatedBy)
		}
	}
}

func TestParseDumpErrors(t *testing.T) {
	gs, err := leakcheck.ParseDump(strings.NewReader("hello\nworld\n"))
	assert.NoError(t, err)
	assert.Empty(t, gs, "no dump, no goroutine")

	gs, err = leakcheck.ParseDump(strings.NewReader("goroutine 7 [running]:\nmain.f()\n\t/x.go:1 +0x1\n\ngoroutine 8 [chan rec"))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorContains(t, err, "ends in the middle of a line")
	assert.Len(t, gs, 2, "the goroutines read come with the error")

	_, err = leakcheck.ParseDump(iotest.ErrReader(io.ErrClosedPipe))
	assert.ErrorIs(t, err, io.ErrClosedPipe)
}

// The goroutines a DumpScanner returns are the caller's: scanning on
// does not change them.
func TestDumpScannerGoroutinesAreKept(t *testing.T) {
	var text strings.Builder
	for i := 1; i <= 3; i++ {
		text.WriteString("goroutine " + string(rune('0'+i)) + " [select]:\nmain.f" + string(rune('0'+i)) + "()\n\t/x.go:1 +0x1\n\n")
	}
	s := leakcheck.NewDumpScanner(strings.NewReader(text.String()))
	var kept []leakcheck.Goroutine
	for s.Scan() {
		kept = append(kept, s.Goroutine())
	}
	require.NoError(t, s.Err())
	require.Len(t, kept, 3)
	for i, g := range kept {
		assert.Equal(t, uint64(i+1), g.ID)
		assert.Equal(t, "main.f"+string(rune('1'+i)), g.TopFunction())
	}
}

// FuzzParseDump: any input parses without a panic, and the goroutines
// that ParseDump returns are those a DumpScanner yields, each of whose
// Stack reads back as the same goroutine.
//
//	go test -run '^$' -fuzz FuzzParseDump -fuzztime 1m .
func FuzzParseDump(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("internal", "stack", "testdata", "dumps", "*.txt"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add([]byte("> " + strings.ReplaceAll(strings.ReplaceAll(string(b), "\t", "  "), "\n", "\n> ")))
	}
	f.Add([]byte("panic: test timed out after 1s\n\trunning tests:\n\t\tTestX (1s)\n\ngoroutine 1 [running]:\nmain.TestX()\n    x.go:1 +0x1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := leakcheck.ParseDump(bytes.NewReader(data))
		s := leakcheck.NewDumpScanner(iotest.HalfReader(bytes.NewReader(data)))
		n := 0
		for s.Scan() {
			g := s.Goroutine()
			if n >= len(gs) || g.ID != gs[n].ID || g.State != gs[n].State || len(g.Frames) != len(gs[n].Frames) {
				t.Fatalf("goroutine %d: the scanner and ParseDump differ", n)
			}
			n++
		}
		if n != len(gs) || (s.Err() == nil) != (err == nil) {
			t.Fatalf("the scanner read %d goroutines (%v), ParseDump %d (%v)", n, s.Err(), len(gs), err)
		}
		for _, g := range gs {
			again, _ := leakcheck.ParseDump(strings.NewReader(g.Stack))
			if len(again) != 1 || again[0].ID != g.ID || len(again[0].Frames) != len(g.Frames) {
				t.Fatalf("goroutine %d's Stack does not read back:\n%s", g.ID, g.Stack)
			}
		}
	})
}
