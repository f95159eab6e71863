package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"
)

// A source of a service's goroutines, as the leakcheck command reads it.
type source struct {
	name, path string
	leak       bool // needs the goroutineleak profile
}

var sources = []source{
	{"profile (debug=0), watch's default", "/debug/pprof/goroutine?debug=0", false},
	{"text profile (debug=1)", "/debug/pprof/goroutine?debug=1", false},
	{"dump (debug=2)", "/debug/pprof/goroutine?debug=2", false},
	{"goroutineleak (debug=0)", "/debug/pprof/goroutineleak?debug=0", true},
	{"goroutineleak dump (debug=2)", "/debug/pprof/goroutineleak?debug=2", true},
}

// pauses is what the target measured during one request.
type pauses struct {
	MaxSTW   float64 `json:"max_stw"`   // longest stop-the-world pause, seconds (bucket upper bound)
	TotalSTW float64 `json:"total_stw"` // sum of the pauses, seconds (bucket midpoints)
	Count    uint64  `json:"count"`     // number of pauses
	Late     float64 `json:"late"`      // worst lateness of the 1 ms ticker, seconds
}

// targetDir is the directory of this command's package.
func targetDir() string {
	if _, err := os.Stat("cmdbench"); err == nil {
		return "cmdbench" // run from bench
	}
	return "." // run from bench/cmdbench
}

// pauseBench runs a target per size, under this toolchain and under
// go1.27.4 (for the goroutineleak sources), and measures every source.
func pauseBench(work string) {
	fmt.Printf("## What each source costs the service\n\n")
	fmt.Println("Per request to the target: its longest stop-the-world pause and the sum of its pauses (runtime/metrics /sched/pauses/total/{other,gc}, to the histogram's bucket), and how late a goroutine sleeping 1 ms in a loop woke up at worst (the service's latency as its users would see it). Medians (and minimums) of the requests; the response is read in full and discarded.")
	fmt.Println()
	fmt.Println("| toolchain | goroutines | source | longest pause (median / min) | all pauses | pauses | worst 1 ms-ticker delay (median / min) | request time | runs |")
	fmt.Println("|---|---:|---|---:|---:|---:|---:|---:|---:|")
	toolchains := []string{""}
	if !*quick {
		toolchains = append(toolchains, "go1.27.4")
	}
	for _, tc := range toolchains {
		// Built, then run directly: killing "go run" would leave the
		// target running.
		bin := filepath.Join(work, "target"+tc)
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = targetDir()
		cmd.Env = os.Environ()
		if tc != "" {
			cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+tc)
		}
		cmd.Stderr = os.Stderr
		check(cmd.Run())
		for _, n := range counts(100000) {
			measureTarget(bin, n)
		}
	}
	fmt.Println()
}

// measureTarget starts a target with n goroutines and measures each
// source it serves.
func measureTarget(bin string, n int) {
	cmd := exec.Command(bin, "-target", fmt.Sprint(n))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	check(err)
	base, version, _ := strings.Cut(strings.TrimSpace(line), " ")

	client := &http.Client{Timeout: 5 * time.Minute}
	for _, s := range sources {
		var stws, totals, lates, reqs []float64
		var counts []uint64
		served := true
		for range repsFor(n) {
			_, err := get(client, base+"/reset")
			check(err)
			start := time.Now()
			status, err := get(client, base+s.path)
			took := time.Since(start)
			check(err)
			if status == http.StatusNotFound {
				served = false
				break
			}
			body, err := getBody(client, base+"/pauses")
			check(err)
			var p pauses
			check(json.Unmarshal(body, &p))
			stws = append(stws, p.MaxSTW)
			totals = append(totals, p.TotalSTW)
			lates = append(lates, p.Late)
			reqs = append(reqs, took.Seconds())
			counts = append(counts, p.Count)
		}
		if !served {
			continue
		}
		slices.Sort(counts)
		fmt.Printf("| %s | %s | %s | %s / %s | %s | %d | %s / %s | %s | %d |\n", version, count(n), s.name,
			secs(median(stws)), secs(slices.Min(stws)), secs(median(totals)), counts[len(counts)/2],
			secs(median(lates)), secs(slices.Min(lates)), secs(median(reqs)), len(stws))
	}
}

func get(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func getBody(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func secs(s float64) string { return dur(time.Duration(s * float64(time.Second))) }

// serveTarget is the target process: n parked goroutines, pprof, the
// ticker, and /reset and /pauses for the bench. It prints its base URL
// and Go version on its first line.
func serveTarget(n int) {
	park(n)
	var mu sync.Mutex
	var late time.Duration
	go func() {
		for {
			start := time.Now()
			time.Sleep(time.Millisecond)
			if d := time.Since(start) - time.Millisecond; d > 0 {
				mu.Lock()
				late = max(late, d)
				mu.Unlock()
			}
		}
	}()
	names := []string{"/sched/pauses/total/other:seconds", "/sched/pauses/total/gc:seconds"}
	read := func() []metrics.Sample {
		s := make([]metrics.Sample, len(names))
		for i, name := range names {
			s[i].Name = name
		}
		metrics.Read(s)
		return s
	}
	var before []metrics.Sample
	http.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		late = 0
		mu.Unlock()
		before = read()
	})
	http.HandleFunc("/pauses", func(w http.ResponseWriter, r *http.Request) {
		after := read()
		var p pauses
		for i := range after {
			h0, h1 := before[i].Value.Float64Histogram(), after[i].Value.Float64Histogram()
			for b := range h1.Counts {
				d := h1.Counts[b] - h0.Counts[b]
				if d == 0 {
					continue
				}
				lo, hi := h1.Buckets[b], h1.Buckets[b+1]
				if math.IsInf(hi, 1) {
					hi = lo
				}
				if math.IsInf(lo, -1) {
					lo = 0
				}
				p.MaxSTW = max(p.MaxSTW, hi)
				p.TotalSTW += float64(d) * (lo + hi) / 2
				p.Count += d
			}
		}
		mu.Lock()
		p.Late = late.Seconds()
		mu.Unlock()
		json.NewEncoder(w).Encode(p)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	version := runtimeVersion()
	if pprof.Lookup("goroutineleak") == nil {
		version += " (no goroutineleak)"
	}
	fmt.Printf("http://%s %s\n", ln.Addr(), version)
	os.Stdout.Sync()
	check(http.Serve(ln, nil))
}
