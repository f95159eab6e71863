// Command memcost measures what measuring the memory of a leak adds to a
// failing check: leakcheck.Find with one leaked goroutine, on heaps of
// 10 MiB, 100 MiB and 1 GiB, with LEAKCHECK_MEMORY on and off, in one
// process. Half of each heap is 64 KiB buffers and half 64-byte linked
// nodes, so that both the bytes and the objects a heap dump walks count.
//
// A second table times a failing leakcheck.Verify in a test binary it
// builds, on heaps of 10 MiB and 100 MiB, whose leak the runtime proves
// where it can: there (go1.27, go1.26 with
// GOEXPERIMENT=goroutineleakprofile) the memory is measured in a rerun of
// the test, which is what the table shows; elsewhere in the process.
//
// Usage, from the bench directory:
//
//	go run ./memcost          # the full run, about a minute on 2 cores
//	go run ./memcost -quick   # 10 MiB only, for CI
//	GOTOOLCHAIN=go1.27.4 go run ./memcost   # the rerun
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/bench/internal/genmod"
)

var quick = flag.Bool("quick", false, "10 MiB only, one run each (for CI)")

// heap holds the live heap of the current size; block is never closed.
var (
	heap  [][]byte
	nodes *node
	block = make(chan struct{})
)

type node struct {
	next *node
	_    [48]byte
}

// grow sets the live heap to about n bytes.
func grow(n int) {
	heap, nodes = nil, nil
	runtime.GC()
	for range n / 2 / (64 << 10) {
		heap = append(heap, make([]byte, 64<<10))
	}
	for range n / 2 / 64 {
		nodes = &node{next: nodes}
	}
}

func hold(buf []byte) {
	<-block
	buf[0]++
}

// failingCheck times one failing check with the memory measurement on or
// off, and returns its report.
func failingCheck(measure bool) (time.Duration, string) {
	if measure {
		os.Setenv(leakcheck.MemoryEnv, "on")
	} else {
		os.Setenv(leakcheck.MemoryEnv, "off")
	}
	start := time.Now()
	err := leakcheck.Find(leakcheck.MaxWait(0))
	d := time.Since(start)
	if err == nil {
		fmt.Fprintln(os.Stderr, "memcost: the check did not fail")
		os.Exit(1)
	}
	return d, err.Error()
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func main() {
	flag.Parse()
	sizes := []int{10 << 20, 100 << 20, 1 << 30}
	reps := 3
	if *quick {
		sizes, reps = sizes[:1], 1
	}
	go hold(make([]byte, 1<<20)) // the leak: 1 MiB held alone
	time.Sleep(10 * time.Millisecond)

	fmt.Printf("# Cost of measuring a leak's memory\n\n%s, %s/%s, %d CPUs\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Println("A failing leakcheck.Find (one leaked goroutine holding 1 MiB), median of runs, with the memory measurement off and on;")
	fmt.Println("what it adds, also as a multiple of one runtime.GC() of the same heap.")
	fmt.Println()
	fmt.Println("| live heap | check without | check with | added | one GC | added ÷ GC | runs | held as reported |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, size := range sizes {
		grow(size)
		var off, on, gc []time.Duration
		var report string
		for range reps {
			start := time.Now()
			runtime.GC()
			gc = append(gc, time.Since(start))
			d, _ := failingCheck(false)
			off = append(off, d)
			d, report = failingCheck(true)
			on = append(on, d)
		}
		held := heldIn(report)
		a, b, g := median(off), median(on), median(gc)
		fmt.Printf("| %d MiB | %v | %v | %v | %v | %.1f× | %d | %s |\n", size>>20,
			a.Round(time.Millisecond), b.Round(time.Millisecond), (b - a).Round(time.Millisecond), g.Round(time.Millisecond),
			float64(b-a)/float64(g), reps, held)
	}
	runtime.KeepAlive(heap)
	runtime.KeepAlive(nodes)
	heap, nodes = nil, nil
	runtime.GC()
	rerunTable(sizes[:min(len(sizes), 2)], reps)
}

// heldIn returns what a report says the leak holds, or why it was not
// measured.
func heldIn(report string) string {
	held := "?"
	for _, line := range strings.Split(report, "\n") {
		if i := strings.Index(line, "holds "); i >= 0 {
			held = strings.TrimSpace(line[i:])
			if j := strings.Index(held, ":"); j >= 0 {
				held = held[:j]
			}
			break
		}
		if strings.Contains(line, "not measured") {
			held = strings.TrimSpace(line)
		}
	}
	return held
}

// leakTest is the test of the binary rerunTable builds: it grows the heap
// as MEMCOST_HEAP says, leaks a goroutine holding 1 MiB on a channel
// only it reaches, which the runtime proves leaked where it can, and
// prints how long the check (with what it measures) took.
const leakTest = `package leak

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

var (
	heap  [][]byte
	nodes *node
)

type node struct {
	next *node
	_    [48]byte
}

func hold(buf []byte, block chan struct{}) {
	<-block
	buf[0]++
}

func TestLeak(t *testing.T) {
	var checkStart time.Time
	t.Cleanup(func() { fmt.Printf("memcost: check took %d ns\n", time.Since(checkStart).Nanoseconds()) })
	leakcheck.Verify(t)
	t.Cleanup(func() { checkStart = time.Now() }) // the last cleanup before the check
	n, _ := strconv.Atoi(os.Getenv("MEMCOST_HEAP"))
	for range n / 2 / (64 << 10) {
		heap = append(heap, make([]byte, 64<<10))
	}
	for range n / 2 / 64 {
		nodes = &node{next: nodes}
	}
	go hold(make([]byte, 1<<20), make(chan struct{}))
}
`

// rerunTable times a failing Verify with the memory measurement off and
// on, in a test binary built from leakTest, alternating runs.
func rerunTable(sizes []int, reps int) {
	dir, err := os.MkdirTemp("", "memcost-")
	must(err)
	defer os.RemoveAll(dir)
	bin := buildLeakTest(dir)
	where := "in the process, as this runtime cannot prove leaks (the check waits MaxWait, 5 s, for the leak)"
	if pprof.Lookup("goroutineleak") != nil {
		where = "in a rerun of the test, since the runtime proves the leak (the rerun's process grows its heap too)"
	}
	fmt.Printf("\nA failing leakcheck.Verify (one leak holding 1 MiB on a channel only it reaches), the check's time, median of runs,\n")
	fmt.Printf("with the memory measurement off and on; measured %s.\n\n", where)
	fmt.Println("| live heap | check without | check with | added | runs | held as reported |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | --- |")
	for _, size := range sizes {
		var off, on []time.Duration
		var report string
		for range reps {
			d, _ := runLeakTest(bin, size, false)
			off = append(off, d)
			d, report = runLeakTest(bin, size, true)
			on = append(on, d)
		}
		a, b := median(off), median(on)
		fmt.Printf("| %d MiB | %v | %v | %v | %d | %s |\n", size>>20,
			a.Round(time.Millisecond), b.Round(time.Millisecond), (b - a).Round(time.Millisecond), reps, heldIn(report))
	}
}

// buildLeakTest writes leakTest into a module in dir that uses this
// checkout's leakcheck, and builds its test binary.
func buildLeakTest(dir string) string {
	must(genmod.Write(dir, "memcostgen", ".."))
	must(os.MkdirAll(filepath.Join(dir, "leak"), 0o777))
	must(os.WriteFile(filepath.Join(dir, "leak", "leak_test.go"), []byte(leakTest), 0o666))
	bin := filepath.Join(dir, "leak.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, "./leak")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	must(cmd.Run())
	return bin
}

var checkTook = regexp.MustCompile(`memcost: check took (\d+) ns`)

// runLeakTest runs the leak test on a heap of size bytes and returns the
// check's time and the test's output.
func runLeakTest(bin string, size int, measure bool) (time.Duration, string) {
	setting := "off"
	if measure {
		setting = "on"
	}
	cmd := exec.Command(bin, "-test.run=^TestLeak$")
	cmd.Env = append(os.Environ(), "MEMCOST_HEAP="+strconv.Itoa(size), "LEAKCHECK_MEMORY="+setting)
	out, err := cmd.CombinedOutput()
	if err == nil {
		fmt.Fprintln(os.Stderr, "memcost: the check did not fail")
		os.Exit(1)
	}
	m := checkTook.FindSubmatch(out)
	if m == nil {
		fmt.Fprintf(os.Stderr, "memcost: no time in the output:\n%s", out)
		os.Exit(1)
	}
	ns, err := strconv.ParseInt(string(m[1]), 10, 64)
	must(err)
	return time.Duration(ns), string(out)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "memcost:", err)
		os.Exit(1)
	}
}
