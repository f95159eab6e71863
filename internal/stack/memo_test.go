package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memoSequence returns the dumps of testdata in the order a Memo would
// meet them in one process: each fixture, then it again, then it with one
// goroutine's block changed, one dropped, and cut short.
func memoSequence(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "dumps", "*.txt"))
	require.NoError(t, err)
	var dumps []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		dump := string(b)
		dumps = append(dumps, dump, dump,
			strings.Replace(dump, "[chan receive", "[chan send", 1),
			strings.Replace(dump, "\ngoroutine ", "\nnot a goroutine ", 1),
			dump[:len(dump)*2/3],
			strings.ReplaceAll(dump, "\n", "\r\n"))
	}
	return dumps
}

func TestMemoParsesAsParse(t *testing.T) {
	var m Memo
	for i, dump := range memoSequence(t) {
		got, want := m.Parse(dump), Parse(dump)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("dump %d: the Memo parsed\n%#v\nParse parsed\n%#v", i, got, want)
		}
	}
}

func TestMemoReusesUnchangedBlocks(t *testing.T) {
	dump := readDump(t, "go1.27-basic.txt")
	var m Memo
	first := m.Parse(dump)
	require.Greater(t, len(first), 2)
	changed := strings.Replace(dump, "goroutine "+strconv.FormatUint(first[1].ID, 10)+" [", "goroutine "+strconv.FormatUint(first[1].ID, 10)+" [runnable, was ", 1)
	second := m.Parse(changed)
	require.Len(t, second, len(first))
	for i := range second {
		if i == 1 {
			assert.NotEqual(t, first[i].State, second[i].State, "a changed block is parsed again")
			continue
		}
		assert.Equal(t, unsafe.StringData(first[i].Stack), unsafe.StringData(second[i].Stack),
			"goroutine %d: an unchanged block is reused, not parsed again", second[i].ID)
	}
}

func TestMemoKeepsBlocksNotDumps(t *testing.T) {
	dump := readDump(t, "go1.26-basic.txt")
	var m Memo
	for _, g := range m.Parse(dump) {
		p := uintptr(unsafe.Pointer(unsafe.StringData(g.Stack)))
		start := uintptr(unsafe.Pointer(unsafe.StringData(dump)))
		assert.False(t, start <= p && p < start+uintptr(len(dump)),
			"goroutine %d: its Stack points into the dump, which it would keep alive", g.ID)
	}
}

// TestMemoReadsDumpInPlace parses a dump read in place from a buffer, as
// the checks do, then overwrites the buffer, as the next dump does: what
// the Memo returned and keeps must not change.
func TestMemoReadsDumpInPlace(t *testing.T) {
	dump := readDump(t, "go1.26-labels.txt")
	want := Parse(dump)
	buf := []byte(dump)
	var m Memo
	for range 2 {
		copy(buf, dump)
		got := m.Parse(unsafe.String(&buf[0], len(buf)))
		for i := range buf {
			buf[i] = 'x'
		}
		require.Equal(t, want, got)
	}
	assert.Equal(t, want, m.Parse(dump))
}

func TestMemoForgetsExitedGoroutines(t *testing.T) {
	dump := readDump(t, "go1.27-basic.txt")
	var m Memo
	all := len(m.Parse(dump))
	one, _, _ := strings.Cut(dump[1:], "\ngoroutine ")
	for range 3 {
		m.Parse(dump[:1+len(one)])
	}
	assert.Equal(t, all, len(Parse(dump)))
	assert.Len(t, m.byID, 1, "the Memo keeps the goroutines of the last dump only")
}

// FuzzMemoParse checks that a Memo that parsed one dump parses the next
// as Parse does, whatever the two are.
//
//	go test -run '^$' -fuzz FuzzMemoParse -fuzztime 3m .
func FuzzMemoParse(f *testing.F) {
	dumps := memoSequence(f)
	for i := 1; i < len(dumps); i++ {
		f.Add(dumps[i-1], dumps[i])
	}
	f.Add("goroutine 1 [a]:\nf()\n", "goroutine 1 [a]:\nf()\ngoroutine 1 [a]:\nf()\n")
	f.Add("goroutine 1 [a]:\n", "goroutine 1 [a]:\ngoroutine 1 [b]:\n")
	f.Add("x\ngoroutine 99999999999999999999 [a]:\n", "goroutine 0 [a]:\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		var m Memo
		for i, dump := range []string{a, b, a, b} {
			got, want := m.Parse(dump), Parse(dump)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("dump %d: the Memo parsed\n%#v\nParse parsed\n%#v", i, got, want)
			}
		}
	})
}

// BenchmarkMemoParse parses, as the checks do, successive dumps of a
// process where 10,000 goroutines wait where they waited: compare with
// BenchmarkParseDump.
func BenchmarkMemoParse(b *testing.B) {
	const n = 10000
	dump, _ := dumpOfBlocked(n)

	var m Memo
	m.Parse(dump)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	var gs []Goroutine
	for range b.N {
		gs = m.Parse(dump)
	}
	if len(gs) < n {
		b.Fatalf("parsed %d goroutines, want at least %d", len(gs), n)
	}
}
