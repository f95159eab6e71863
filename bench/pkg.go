package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/bench/internal/genmod"
)

// packageResult is scenario 2: the wall time of a test binary running
// small tests with N unrelated goroutines alive, without a check and with
// each tool's check in every test.
type packageResult struct {
	N                 int
	Tests             int // tests run; 1,000 unless that would take too long
	None              time.Duration
	Leakcheck, Goleak time.Duration
	Reps              int
}

// overhead returns the extra time per 1,000 tests that a tool's check
// costs, extrapolated from the tests run.
func (r packageResult) overhead(d time.Duration) time.Duration {
	return max(0, d-r.None) * 1000 / time.Duration(r.Tests)
}

const genTests = 1000

// variants are the three generated packages: the same tests without a
// check, with leakcheck.Verify and with goleak.VerifyNone.
var variants = []struct{ name, imp, check string }{
	{"none", "", ""},
	{"leakcheck", `"github.com/leakcheck/leakcheck"`, "leakcheck.Verify(t)"},
	{"goleak", `"go.uber.org/goleak"`, `defer goleak.VerifyNone(t, goleak.IgnoreTopFunction("benchgen/goleak.idle"))`},
}

// runPackages measures scenario 2. It generates a module with the three
// variants of a package of genTests tests, builds their test binaries
// once, and runs them for every goroutine count, taking the median of a
// few runs. Runs with 10,000 goroutines or more execute the first 100 or
// 10 tests only, since goleak would need many minutes for 1,000; the
// overhead is linear in the number of tests and is scaled to 1,000.
func runPackages(ns []int) []packageResult {
	dir, err := os.MkdirTemp("", "leakcheck-bench-")
	check(err)
	defer os.RemoveAll(dir)
	bins := buildPackages(dir)
	reps := 3
	if *quick {
		reps = 1
	}
	var res []packageResult
	for _, n := range ns {
		tests := genTests
		switch {
		case n >= 100000:
			tests = 10
		case n >= 10000 || *quick && n >= 1000:
			tests = 100
		}
		r := packageResult{N: n, Tests: tests, Reps: reps}
		times := make([][]time.Duration, len(variants))
		for range reps {
			for i, bin := range bins {
				times[i] = append(times[i], runBinary(bin, n, tests))
			}
		}
		dur := func(d time.Duration) float64 { return float64(d) }
		r.None = median(times[0], dur)
		r.Leakcheck = median(times[1], dur)
		r.Goleak = median(times[2], dur)
		res = append(res, r)
	}
	return res
}

func buildPackages(dir string) []string {
	check(genmod.Write(dir, "benchgen", ".."))

	var bins []string
	for _, v := range variants {
		pkg := filepath.Join(dir, v.name)
		check(os.MkdirAll(pkg, 0o777))
		check(os.WriteFile(filepath.Join(pkg, "gen_test.go"), generate(v.name, v.imp, v.check), 0o666))
		bin := filepath.Join(dir, v.name+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "./"+v.name)
		cmd.Dir = dir
		cmd.Stderr = os.Stderr
		check(cmd.Run())
		bins = append(bins, bin)
	}
	return bins
}

// generate writes a package of genTests small tests, each starting a
// goroutine and waiting for its result, with TestMain starting the
// unrelated goroutines that $BENCH_GOROUTINES asks for.
func generate(name, imp, checkLine string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `package %s

import (
	"os"
	"strconv"
	"testing"
	%s
)

var stop = make(chan struct{})

//go:noinline
func idle() { <-stop }

func TestMain(m *testing.M) {
	n, _ := strconv.Atoi(os.Getenv("BENCH_GOROUTINES"))
	for range n {
		go idle()
	}
	os.Exit(m.Run())
}

func square(t *testing.T, i int) {
	c := make(chan int)
	go func() { c <- i * i }()
	if got := <-c; got != i*i {
		t.Fatalf("got %%d, want %%d", got, i*i)
	}
}
`, name, imp)
	for i := range genTests {
		fmt.Fprintf(&b, "\nfunc Test%04d(t *testing.T) {\n", i)
		if checkLine != "" {
			fmt.Fprintf(&b, "\t%s\n", checkLine)
		}
		fmt.Fprintf(&b, "\tsquare(t, %d)\n}\n", i)
	}
	return b.Bytes()
}

// runBinary runs the first tests tests of a test binary with n unrelated
// goroutines and returns its wall time.
func runBinary(bin string, n, tests int) time.Duration {
	run := "."
	if tests < genTests {
		// Test0000 to Test0099 or Test0000 to Test0009.
		run = "^Test" + strings.Repeat("0", 4-len(strconv.Itoa(tests-1)))
	}
	cmd := exec.Command(bin, "-test.count=1", "-test.timeout=1h", "-test.run", run)
	cmd.Env = append(os.Environ(), "BENCH_GOROUTINES="+strconv.Itoa(n))
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s with %d goroutines: %v\n%s", filepath.Base(bin), n, err, outBuf.Bytes())
		os.Exit(1)
	}
	return d
}
