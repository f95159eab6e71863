package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
