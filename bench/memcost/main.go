// Command memcost measures what measuring the memory of a leak adds to a
// failing check: leakcheck.Find with one leaked goroutine, on heaps of
// 10 MiB, 100 MiB and 1 GiB, with LEAKCHECK_MEMORY on and off, in one
// process. Half of each heap is 64 KiB buffers and half 64-byte linked
// nodes, so that both the bytes and the objects a heap dump walks count.
//
// Usage, from the bench directory:
//
//	go run ./memcost          # the full run, about a minute on 2 cores
//	go run ./memcost -quick   # 10 MiB only, for CI
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck"
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
		held := "?"
		for line := range strings.Lines(report) {
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
		a, b, g := median(off), median(on), median(gc)
		fmt.Printf("| %d MiB | %v | %v | %v | %v | %.1f× | %d | %s |\n", size>>20,
			a.Round(time.Millisecond), b.Round(time.Millisecond), (b - a).Round(time.Millisecond), g.Round(time.Millisecond),
			float64(b-a)/float64(g), reps, held)
	}
	runtime.KeepAlive(heap)
	runtime.KeepAlive(nodes)
}
