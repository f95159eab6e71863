// Command fleet measures "leakcheck fleet" on a fleet in a real
// Prometheus: it generates the goroutine counts of N instances over D
// days at a 15 s scrape interval (OpenMetrics text), with known leaking
// instances planted among steady, bursty, restarting, redeployed and
// pool-filling ones, backfills them into a TSDB with promtool, starts
// Prometheus on 127.0.0.1 on that TSDB, runs the analysis as a user
// would, and prints its wall time, peak resident memory (getrusage
// maxrss of the child), the requests it made, and the planted leaks it
// found against the instances it flagged falsely.
//
// Usage, from the bench directory (prometheus and promtool on PATH):
//
//	go run ./fleet                          # 1,000 instances x 7 days (~20 min, 3 GB of disk)
//	go run ./fleet -quick                   # 100 instances x 1 day, for CI (~1 min)
//	go run ./fleet -instances 200 -days 2 -keep -dir /tmp/fleet
//
// It fails (exit 1) when a planted leak is missed or a healthy instance
// is flagged.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	instances = flag.Int("instances", 1000, "instances in the fleet")
	days      = flag.Int("days", 7, "days of data")
	quick     = flag.Bool("quick", false, "a small fleet for CI: 100 instances, 1 day")
	dir       = flag.String("dir", "", "work directory (default: a temporary one)")
	keep      = flag.Bool("keep", false, "keep the work directory (the data, the TSDB)")
	runs      = flag.Int("runs", 2, "analyses of the same TSDB: the first on a cold server")
	extra     = flag.String("args", "", "more flags for leakcheck fleet, space-separated (e.g. -step=15s)")
	reuse     = flag.Bool("reuse", false, "with -dir: analyse the TSDB a -keep run left there, without generating it again")
)

// scrape is the interval of the generated samples.
const scrape = 15 * time.Second

func main() {
	flag.Parse()
	if *quick {
		*instances, *days = 100, 1
	}
	if err := bench(); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func bench() error {
	for _, tool := range []string{"prometheus", "promtool"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install prometheus)", tool)
		}
	}
	work := *dir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "leakcheck-fleet-bench"); err != nil {
			return err
		}
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	leakcheck := filepath.Join(work, "leakcheck")
	if out, err := exec.Command("go", "build", "-o", leakcheck, "github.com/leakcheck/leakcheck/cmd/leakcheck").CombinedOutput(); err != nil {
		return fmt.Errorf("go build leakcheck: %v\n%s", err, out)
	}

	// The window's end is kept beside the data: what was planted where
	// follows from it and the seed.
	endFile := filepath.Join(work, "end")
	data := filepath.Join(work, "data")
	end := time.Now().Truncate(time.Minute)
	if *reuse {
		b, err := os.ReadFile(endFile)
		if err != nil {
			return fmt.Errorf("-reuse: %v (run with -keep first)", err)
		}
		sec, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return fmt.Errorf("-reuse: %s: %v", endFile, err)
		}
		end = time.Unix(sec, 0)
	}
	start := end.Add(-time.Duration(*days) * 24 * time.Hour)
	fleet := plan(*instances, start, end)
	if !*reuse {
		if err := generate(work, data, fleet, start, end); err != nil {
			return err
		}
		if err := os.WriteFile(endFile, []byte(strconv.FormatInt(end.Unix(), 10)), 0o644); err != nil {
			return err
		}
	}

	url, stop, err := startPrometheus(work, data)
	if err != nil {
		return err
	}
	defer stop()

	var failed error
	for run := 1; run <= *runs; run++ {
		res, err := analyse(leakcheck, url, *days, fleet)
		if err != nil {
			return err
		}
		label := "warm"
		if run == 1 {
			label = "cold"
		}
		fmt.Printf("run %d (%s server): %v wall, %.0f MiB peak RSS, %d requests; planted leaks found %d/%d, false flags %d\n",
			run, label, res.wall.Round(100*time.Millisecond), float64(res.maxRSS)/(1<<20), res.requests, res.found, res.planted, len(res.falseFlags))
		for _, f := range res.falseFlags {
			fmt.Printf("    false flag: %s\n", f)
		}
		for _, m := range res.missed {
			fmt.Printf("    missed: %s\n", m)
		}
		if res.found < res.planted || len(res.falseFlags) > 0 {
			failed = errors.New("a planted leak was missed or a healthy instance flagged")
		}
	}
	return failed
}

// generate writes the fleet's samples as OpenMetrics and backfills them
// into a TSDB at data with promtool.
func generate(work, data string, fleet []*instance, start, end time.Time) error {
	om := filepath.Join(work, "fleet.om")
	t0 := time.Now()
	size, err := writeOpenMetrics(om, fleet, start, end)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d instances x %d days at %v: %d samples, %.1f MB of OpenMetrics in %v\n",
		len(fleet), *days, scrape, int(end.Sub(start)/scrape)*len(fleet), float64(size)/1e6, time.Since(t0).Round(time.Second))

	os.RemoveAll(data)
	t0 = time.Now()
	// A block per 54 hours: promtool reads its whole input once per
	// block, and would make one per 2 hours otherwise (DESIGN.md §5).
	cmd := exec.Command("promtool", "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=54h", "-q", om, data)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("promtool: %v\n%s", err, out)
	}
	os.Remove(om)
	fmt.Printf("backfilled with promtool in %v\n", time.Since(t0).Round(time.Second))

	return nil
}

// An instance is one generated series and what was planted in it.
type instance struct {
	job, name string
	shape     string
	leaks     bool
	base      float64
	perHour   float64         // leak rate
	restarts  []time.Time     // lives begin here
	bases     map[int]float64 // deploys: the base from the n-th life on
	outage    [2]time.Time    // no samples in between
	leakFrom  time.Time       // "leak": when the count began to rise
	seed      int64
}

// plan chooses each instance's shape with a fixed seed: the first job,
// "api", leaks on 38 of its 40 instances (a leak in the job's code); the
// others mix, for every hundred instances, three that leak (two
// steadily, one reset by a daily restart) among steady, bursty,
// restarting, redeployed and pool-filling ones.
func plan(n int, start, end time.Time) []*instance {
	r := rand.New(rand.NewSource(28))
	var fleet []*instance
	for i := range n {
		in := &instance{
			job:  fmt.Sprintf("svc%02d", i/40),
			name: fmt.Sprintf("10.%d.%d.%d:9100", i/40, (i%40)/8, i%8+10),
			base: 30 + r.Float64()*500,
			seed: r.Int63(),
		}
		if i < 40 {
			in.job = "api"
		}
		roll := r.Intn(100)
		switch {
		case i < 40 && i%20 != 7:
			in.shape, in.leaks, in.perHour = "leak", true, 10+r.Float64()*30
			in.leakFrom = start.Add(-time.Duration(r.Int63n(int64(48 * time.Hour))))
		case i < 40:
			in.shape = "steady"
		case roll < 2:
			in.shape, in.leaks, in.perHour = "leak", true, 4+r.Float64()*60
			in.leakFrom = start.Add(-time.Duration(r.Int63n(int64(48 * time.Hour))))
		case roll < 3:
			in.shape, in.leaks, in.perHour = "leak-restarts", true, 10+r.Float64()*60
		case roll < 40:
			in.shape = "steady"
		case roll < 60:
			in.shape = "bursty"
		case roll < 78:
			in.shape = "restarts"
		case roll < 96:
			in.shape = "deploys"
		default:
			in.shape = "pool"
		}
		switch in.shape {
		case "leak-restarts", "restarts", "pool":
			first := start.Add(time.Duration(r.Int63n(int64(24 * time.Hour))))
			for t := first; t.Before(end); t = t.Add(24 * time.Hour) {
				in.restarts = append(in.restarts, t)
			}
		case "deploys":
			in.bases = make(map[int]float64)
			for range 1 + r.Intn(3) {
				in.restarts = append(in.restarts, start.Add(time.Duration(r.Int63n(int64(end.Sub(start))))))
			}
			slices.SortFunc(in.restarts, func(a, b time.Time) int { return a.Compare(b) })
			for k := range in.restarts {
				in.bases[k+1] = in.base + 50 + r.Float64()*250
			}
		}
		if r.Intn(10) == 0 { // a two-hour outage: no scrapes
			at := start.Add(time.Duration(r.Int63n(int64(end.Sub(start) - 2*time.Hour))))
			in.outage = [2]time.Time{at, at.Add(2 * time.Hour)}
		}
		fleet = append(fleet, in)
	}
	return fleet
}

// value is an instance's goroutine count at t, and whether it was
// scraped then.
func (in *instance) value(r *rand.Rand, t time.Time) (float64, bool) {
	if !t.Before(in.outage[0]) && t.Before(in.outage[1]) || r.Intn(200) == 0 {
		return 0, false // an outage, a failed scrape
	}
	life, born := 0, time.Time{}
	for k, at := range in.restarts {
		if !t.Before(at) {
			life, born = k+1, at
		}
	}
	base := in.base
	if b, ok := in.bases[life]; ok {
		base = b
	}
	sinceBirth := t.Sub(born)
	if born.IsZero() {
		sinceBirth = 1000 * time.Hour // alive since before the window
	}
	if sinceBirth < time.Minute { // starting up
		return math.Round(base * 0.3), true
	}
	mean := base
	switch in.shape {
	case "leak":
		mean += in.perHour * t.Sub(in.leakFrom).Hours()
	case "leak-restarts":
		if born.IsZero() {
			sinceBirth = t.Sub(in.restarts[0].Add(-24 * time.Hour))
		}
		mean += in.perHour * sinceBirth.Hours()
	case "pool":
		mean += math.Min(sinceBirth.Hours(), 2) * 100 // fills over two hours, then holds
	case "bursty":
		if r.Intn(10) < 3 {
			mean += r.Float64() * 3 * base
		}
	}
	return math.Max(0, math.Round(mean+r.NormFloat64()*math.Sqrt(mean))), true
}

// writeOpenMetrics writes the fleet's samples, series by series, each in
// time order, as promtool reads them.
func writeOpenMetrics(path string, fleet []*instance, start, end time.Time) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\n")
	var line []byte
	for _, in := range fleet {
		r := rand.New(rand.NewSource(in.seed))
		prefix := fmt.Sprintf("go_goroutines{job=%q,instance=%q} ", in.job, in.name)
		for t := start; !t.After(end); t = t.Add(scrape) {
			v, ok := in.value(r, t)
			if !ok {
				continue
			}
			line = append(line[:0], prefix...)
			line = strconv.AppendFloat(line, v, 'f', -1, 64)
			line = append(line, ' ')
			line = strconv.AppendInt(line, t.Unix(), 10)
			line = append(line, '\n')
			w.Write(line)
		}
	}
	w.WriteString("# EOF\n")
	if err := w.Flush(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), f.Close()
}

// startPrometheus serves the backfilled TSDB on 127.0.0.1, scraping
// nothing, with blocks as large as promtool's so that it does not
// compact while the analysis runs.
func startPrometheus(work, data string) (string, func(), error) {
	cfg := filepath.Join(work, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 15s\n"), 0o644); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command("prometheus", "--config.file="+cfg, "--storage.tsdb.path="+data, "--web.listen-address="+addr,
		"--storage.tsdb.retention.time=30d", "--storage.tsdb.max-block-duration=54h", "--log.level=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	url := "http://" + addr
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, stop, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("prometheus not ready within 5 minutes")
}

type result struct {
	wall           time.Duration
	maxRSS         int64
	requests       int
	planted, found int
	falseFlags     []string
	missed         []string
}

// analyse runs leakcheck fleet over the whole window and checks each
// instance's verdict against what was planted.
func analyse(leakcheck, url string, days int, fleet []*instance) (*result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	args := []string{"fleet", "-json", "-profiles=false", "-timeout", "10m", "-since", fmt.Sprint(time.Duration(days) * 24 * time.Hour)}
	args = append(args, strings.Fields(*extra)...)
	args = append(args, url, "go_goroutines")
	cmd := exec.CommandContext(ctx, leakcheck, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	out, err := cmd.Output()
	wall := time.Since(t0)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("leakcheck %v: %v\n%s", args, err, stderr.String())
	}
	var doc struct {
		Requests  int `json:"requests"`
		Instances []struct {
			Job, Instance, Verdict, Note string
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("leakcheck's JSON: %v", err)
	}
	res := &result{wall: wall, requests: doc.Requests, maxRSS: cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024}
	verdicts := make(map[string]string)
	notes := make(map[string]string)
	for _, in := range doc.Instances {
		verdicts[in.Job+" "+in.Instance] = in.Verdict
		notes[in.Job+" "+in.Instance] = in.Note
	}
	for _, in := range fleet {
		key := in.job + " " + in.name
		flagged := verdicts[key] != "" && verdicts[key] != "ok"
		switch {
		case in.leaks && flagged:
			res.planted++
			res.found++
		case in.leaks:
			res.planted++
			res.missed = append(res.missed, fmt.Sprintf("%s (%s, %+.0f/h): %s", key, in.shape, in.perHour, notes[key]))
		case flagged:
			res.falseFlags = append(res.falseFlags, fmt.Sprintf("%s (%s): %s", key, in.shape, notes[key]))
		}
	}
	return res, nil
}
