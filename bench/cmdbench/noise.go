package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// noiseBench measures how often leakcheck watch calls a kind of a steady
// service growing: cmd/leakcheck/testdata/leakyservice, on loopback,
// under a steady load of clients whose connections come and go, watched
// again and again (every 200 ms for 6 s: 30 samples), and diffed (two
// profiles 2 s apart) as often; then the same with a slow leak added
// (one goroutine every 300 ms, +20 over a watch, +7 between the two
// profiles of a diff), to see how many watches and diffs find it.
func noiseBench(work string) {
	leakcheck := filepath.Join(work, "leakcheck")
	service := filepath.Join(work, "leakyservice")
	build(leakcheck, "github.com/leakcheck/leakcheck/cmd/leakcheck")
	build(service, "github.com/leakcheck/leakcheck/cmd/leakcheck/testdata/leakyservice")
	watches := 10
	if *quick {
		watches = 2
	}
	fmt.Printf("## Growth or noise: leakcheck watch on a steady service\n\n")
	fmt.Printf("leakyservice on loopback under a steady load (60 clients, /work and /job, each dropping its idle connections one request in five), watched %d times with `watch -every 200ms -for 6s` (30 samples) and as many times diffed (`diff` of two profiles 2 s apart); then with a slow leak added (one goroutine every 300 ms, about +20 a watch, +7 a diff).\n\n", watches)
	fmt.Println("| load | watches | kinds judged | kinds whose count moved | largest swing of one kind | kinds flagged | leak found | diff: kinds flagged | diff: leak found |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, leak := range []bool{false, true} {
		url, stopService := startLeakyService(service)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var sent atomic.Int64
		wg.Add(1)
		go func() { defer wg.Done(); steadyLoad(url, 60, 1_000_000, &sent, stop) }()
		if leak {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(300 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if resp, err := http.Get(url + "/leak"); err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
					}
				}
			}()
		}
		time.Sleep(time.Second) // let the load settle
		judged, moved, swing, flagged, found := 0, 0, 0, 0, 0
		diffJudged, diffFlagged, diffFound := 0, 0, 0
		for range watches {
			// A diff of two profiles 2 s apart, as a user would take them.
			before, after := filepath.Join(work, "before.pb.gz"), filepath.Join(work, "after.pb.gz")
			saveProfile(url, before)
			time.Sleep(2 * time.Second)
			saveProfile(url, after)
			for _, rec := range leakcheckJSON(leakcheck, "diff", "-json", before, after) {
				switch {
				case strings.Contains(rec.Stack, "main.compute("):
					if rec.Verdict != "ok" {
						diffFound++
					}
				default:
					diffJudged++
					if rec.Verdict != "ok" {
						diffFlagged++
					}
				}
			}
			for _, rec := range leakcheckJSON(leakcheck, "watch", "-json", "-leakprofile=false", "-every", "200ms", "-for", "6s", url) {
				isLeak := strings.Contains(rec.Stack, "main.compute(")
				switch {
				case isLeak && rec.Verdict != "ok":
					found++
				case isLeak:
				default:
					judged++
					if s := slices.Max(rec.Samples) - slices.Min(rec.Samples); s > 0 {
						moved++
						swing = max(swing, s)
					}
					if rec.Verdict != "ok" {
						flagged++
					}
				}
			}
		}
		close(stop)
		wg.Wait()
		stopService()
		name, leakCell, diffLeakCell := "steady", "—", "—"
		if leak {
			name = "steady, plus a slow leak"
			leakCell = fmt.Sprintf("%d of %d watches", found, watches)
			diffLeakCell = fmt.Sprintf("%d of %d diffs", diffFound, watches)
		}
		fmt.Printf("| %s (%d requests) | %d | %d | %d | %d | %d | %s | %d of %d | %s |\n", name, sent.Load(), watches, judged, moved, swing, flagged, leakCell, diffFlagged, diffJudged, diffLeakCell)
	}
	fmt.Println()
}

// A record is the part of a -json line the bench reads.
type record struct {
	Verdict string `json:"verdict"`
	Stack   string `json:"stack"`
	Samples []int  `json:"samples"`
}

// leakcheckJSON runs leakcheck with args (which include -json) and
// returns its records.
func leakcheckJSON(leakcheck string, args ...string) []record {
	out, err := exec.Command(leakcheck, args...).Output()
	if _, isExit := err.(*exec.ExitError); !isExit && err != nil {
		check(err)
	}
	var recs []record
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rec record
		check(json.Unmarshal([]byte(line), &rec))
		recs = append(recs, rec)
	}
	return recs
}

// saveProfile saves the service's goroutine profile (debug=0) to path.
func saveProfile(url, path string) {
	resp, err := http.Get(url + "/debug/pprof/goroutine?debug=0")
	check(err)
	defer resp.Body.Close()
	f, err := os.Create(path)
	check(err)
	_, err = io.Copy(f, resp.Body)
	check(err)
	check(f.Close())
}

// startLeakyService starts the service and returns its URL and a
// function that stops it.
func startLeakyService(bin string) (string, func()) {
	cmd := exec.Command(bin, "-workers", "20")
	stdout, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	check(err)
	return strings.TrimSpace(line), func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// steadyLoad sends requests from workers clients until stop is closed or
// max requests were sent, each client dropping its idle connections now
// and then, so that the service's connection goroutines come and go.
func steadyLoad(url string, workers int, max int64, sent *atomic.Int64, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
			defer client.CloseIdleConnections()
			for sent.Add(1) <= max {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/work", "/job"}[rng.IntN(2)]
				if resp, err := client.Get(url + path); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if rng.IntN(5) == 0 {
					client.CloseIdleConnections()
				}
				time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
}
