// Command recordcost measures what a check costs while a baseline is
// recorded (LEAKCHECK_BASELINE_UPDATE=1) and the leaks it accepted stay
// alive in the process, as they pile up over a recording run: for 0 to
// 10,000 recorded leaks alive, the median time of a checked test that
// leaks one more goroutine of a known kind, against one goroutine dump
// (runtime.Stack of all goroutines) taken at the same point.
//
//	go run ./recordcost                                     # without creators' stacks
//	GODEBUG=tracebackancestors=100 go run ./recordcost      # as README's recording command
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

var (
	rounds  = flag.Int("rounds", 15, "checks measured per count")
	passing = flag.Bool("passing", false, "measure instead a passing check, no baseline, with the goroutines started outside any test")
)

func main() {
	testing.Init()
	flag.Parse()
	dir, err := os.MkdirTemp("", "recordcost")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if path := os.Getenv("RECORDCOST_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		pprof.StartCPUProfile(f) // stopped by measure: testing.Main exits
	}
	if !*passing {
		os.Setenv(leakcheck.BaselineEnv, filepath.Join(dir, "leakcheck.baseline"))
		os.Setenv(leakcheck.BaselineUpdateEnv, "1")
	}
	testing.Main(func(string, string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestRecordCost", F: measure}}, nil, nil)
}

//go:noinline
func blockForever(ch chan int) { ch <- 1 }

// leak leaves n goroutines behind, of one kind.
func leak(n int) {
	for range n {
		go blockForever(make(chan int))
	}
}

func measure(t *testing.T) {
	what := "recording a baseline, a test that leaks one goroutine of a recorded kind"
	if *passing {
		what = "no baseline, a test that starts and stops a goroutine"
	}
	fmt.Printf("%s, GODEBUG=%q, %s, %d checks a count\n", runtime.Version(), os.Getenv("GODEBUG"), what, *rounds)
	fmt.Println("| recorded leaks alive | check (median) | one dump (median) | check ÷ dump |")
	fmt.Println("| ---: | ---: | ---: | ---: |")
	alive := 0
	buf := make([]byte, 64<<20)
	for _, n := range []int{0, 100, 1000, 3000, 10000} {
		if *passing {
			leak(n - alive) // outside any test: no check's
		} else {
			// The leaks of earlier tests, accepted and recorded.
			t.Run("pile", func(t *testing.T) {
				leakcheck.Verify(t, leakcheck.MaxWait(50*time.Millisecond))
				leak(n - alive)
			})
		}
		alive = n
		var checks, dumps []time.Duration
		for range *rounds {
			start := time.Now()
			t.Run("test", func(t *testing.T) {
				leakcheck.Verify(t, leakcheck.MaxWait(50*time.Millisecond))
				if *passing {
					done := make(chan bool)
					go func() { done <- true }()
					<-done
				} else {
					leak(1)
				}
			})
			checks = append(checks, time.Since(start))
			alive++
			start = time.Now()
			runtime.Stack(buf, true)
			dumps = append(dumps, time.Since(start))
		}
		c, d := median(checks), median(dumps)
		fmt.Printf("| %d | %v | %v | %.2f× |\n", n, c.Round(10*time.Microsecond), d.Round(10*time.Microsecond), float64(c)/float64(d))
	}
	pprof.StopCPUProfile()
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
