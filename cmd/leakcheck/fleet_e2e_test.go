package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fleet's end-to-end test: a real Prometheus, started on loopback
// with a temporary TSDB and a 1 s scrape interval, scraping real Go
// services built from testdata/fleetsvc (client_golang's go_goroutines,
// net/http/pprof), one per behaviour the judgement must tell apart; then
// "leakcheck fleet" on it, every verdict checked.

const fleetsvcPath = "./testdata/fleetsvc"

// requirePrometheus returns the prometheus binary; it skips the test
// where none is installed, but fails it in CI (CI set), which installs
// one.
func requirePrometheus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prometheus is not installed, and CI is set: .ci/run installs it (apt-get install -y prometheus)")
		}
		t.Skip("prometheus is not installed (apt-get install prometheus): the fleet's end-to-end test needs a real one")
	}
	return bin
}

var (
	fleetsvcOnce sync.Once
	fleetsvcBins map[string]string // by toolchain: "" (the one running the tests), "go1.27.4"
	fleetsvcErr  error
)

// fleetsvc builds testdata/fleetsvc with the test's toolchain and with
// go1.27.4, which serves /debug/pprof/goroutineleak.
func fleetsvc(t *testing.T) map[string]string {
	t.Helper()
	binaries(t)
	fleetsvcOnce.Do(func() {
		fleetsvcBins = make(map[string]string)
		for _, tc := range []string{"", "go1.27.4"} {
			out := filepath.Join(binDir, "fleetsvc"+tc)
			cmd := exec.Command("go", "build", "-o", out, ".")
			cmd.Dir = fleetsvcPath
			if tc != "" {
				cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+tc, "GOEXPERIMENT=")
			}
			if b, err := cmd.CombinedOutput(); err != nil {
				fleetsvcErr = fmt.Errorf("go build %s (%s): %v\n%s", fleetsvcPath, tc, err, b)
				return
			}
			fleetsvcBins[tc] = out
		}
	})
	require.NoError(t, fleetsvcErr)
	return fleetsvcBins
}

// freeAddr returns a loopback address no one listens on, for a service
// that must come back on the same address after a restart.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A fleetMember is one service of the test's fleet: its job, the binary
// and flags of each of its lives in turn, and how long each lasts (the
// last lasts until the test ends).
type fleetMember struct {
	job, addr string
	bin       string
	lives     [][]string
	lifeFor   time.Duration
}

// run starts the member's lives one after the other, on the same address,
// until ctx is done.
func (m *fleetMember) run(ctx context.Context, t *testing.T, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			args := append([]string{"-addr", m.addr}, m.lives[min(i, len(m.lives)-1)]...)
			lctx := ctx
			var cancel context.CancelFunc = func() {}
			if i < len(m.lives)-1 || m.lifeFor > 0 && len(m.lives) == 1 {
				lctx, cancel = context.WithTimeout(ctx, m.lifeFor)
			}
			cmd := exec.CommandContext(lctx, m.bin, args...)
			cmd.Stderr = os.Stderr
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Errorf("starting %s: %v", m.job, err)
				cancel()
				return
			}
			bufio.NewReader(stdout).ReadString('\n') // listening
			cmd.Wait()
			cancel()
		}
	}()
}

// startPrometheus starts prometheus scraping members every second and
// returns its URL once it is ready.
func startPrometheus(t *testing.T, bin string, members []*fleetMember) string {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n")
	jobs := make(map[string][]string)
	var order []string
	for _, m := range members {
		if jobs[m.job] == nil {
			order = append(order, m.job)
		}
		jobs[m.job] = append(jobs[m.job], m.addr)
	}
	for _, job := range order {
		fmt.Fprintf(&cfg, "  - job_name: %s\n    static_configs:\n      - targets: [%s]\n", job, strings.Join(jobs[job], ", "))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg.String()), 0o644))
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := "http://" + addr
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		require.True(t, time.Now().Before(deadline), "prometheus not ready within a minute: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// fleetDocument is the subset of fleet's -json output the tests read.
type fleetDocument struct {
	Requests  int      `json:"requests"`
	Warnings  []string `json:"warnings"`
	Jobs      []fleetJobDoc
	Instances []struct {
		Job, Instance, Verdict, Note, Unseen string
		PerHour                              float64 `json:"per_hour"`
		Pprof                                string
		PprofError                           string `json:"pprof_error"`
		Lives                                []fleetLifeDoc
	}
	Kinds []struct {
		Job, Verdict, Title, Summary, Evidence, Stack string
		GrowsOn                                       []string `json:"grows_on"`
		ProvenOn                                      int      `json:"proven_on"`
	}
}

func TestFleetRealPrometheus(t *testing.T) {
	promBin := requirePrometheus(t)
	lc, _ := binaries(t)
	bins := fleetsvc(t)
	t.Parallel()

	const (
		watchFor = 70 * time.Second // three lives of the restarted leak, at a 1 s step
		deployAt = 30 * time.Second
	)
	members := []*fleetMember{
		// Precision: healthy services, never flagged.
		{job: "steady", bin: bins[""], lives: [][]string{{"-mode", "steady", "-load", "16"}}},
		{job: "bursty", bin: bins[""], lives: [][]string{{"-mode", "bursty", "-burst", "300"}}},
		// A deploy that starts a hundred more workers: a step, not a leak.
		{job: "deploy", bin: bins[""], lifeFor: deployAt, lives: [][]string{
			{"-mode", "steady", "-load", "2", "-base", "20"},
			{"-mode", "steady", "-load", "2", "-base", "120"},
		}},
		// A slow leak the runtime cannot prove.
		{job: "slow", bin: bins[""], lives: [][]string{{"-mode", "slow", "-every", "2s"}}},
		// A leak reset by restarts every 20 s, on a service without pprof.
		{job: "restarts", bin: bins[""], lifeFor: 20 * time.Second, lives: [][]string{{"-mode", "slow", "-every", "250ms", "-pprof=false"}}},
		// A leak Go 1.27 proves, on two instances of one job.
		{job: "api", bin: bins["go1.27.4"], lives: [][]string{{"-mode", "proven", "-every", "1s"}}},
		{job: "api", bin: bins["go1.27.4"], lives: [][]string{{"-mode", "proven", "-every", "1s"}}},
	}
	for _, m := range members {
		m.addr = freeAddr(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	for _, m := range members {
		m.run(ctx, t, &wg)
	}
	prom := startPrometheus(t, promBin, members)
	time.Sleep(watchFor)

	html := filepath.Join(t.TempDir(), "fleet.html")
	r := leakcheck(t, lc, nil, "fleet", "-json", "-html", html, "-since", watchFor.String(), "-step", "1s", "-every", "3s", prom)
	require.Equal(t, exitFound, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	var doc fleetDocument
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)

	verdicts := make(map[string][]string)
	for _, in := range doc.Instances {
		verdicts[in.Job] = append(verdicts[in.Job], in.Verdict)
		switch in.Job {
		case "restarts":
			lives, grew := 0, 0
			for _, l := range in.Lives {
				if l.Judged {
					lives++
				}
				if l.Grows {
					grew++
				}
			}
			assert.GreaterOrEqual(t, lives, 2, "restarts: judged lives: %+v", in.Lives)
			assert.GreaterOrEqual(t, grew, 2, "restarts: a leak in each life: %+v", in.Lives)
			assert.Contains(t, in.PprofError, "404", "restarts serves no pprof")
		case "deploy":
			shifts := 0
			for _, l := range in.Lives {
				shifts += len(l.Shifts)
			}
			assert.Equal(t, 1, shifts, "deploy: one level shift: %+v", in.Lives)
		}
	}
	assert.Equal(t, map[string][]string{
		"steady":   {"ok"},
		"bursty":   {"ok"},
		"deploy":   {"ok"},
		"slow":     {"suspect"},
		"restarts": {"suspect"},
		"api":      {"leak", "leak"},
	}, verdicts, r.stdout)

	var apiKind, slowKind bool
	for _, k := range doc.Kinds {
		switch {
		case k.Job == "api" && strings.Contains(k.Stack, "main.computeResult"):
			apiKind = true
			assert.Equal(t, "leak", k.Verdict)
			assert.Equal(t, 2, k.ProvenOn)
			assert.Len(t, k.GrowsOn, 2)
			assert.Contains(t, k.Summary, "grows on 2 of 2 instances of job api")
			assert.Contains(t, k.Summary, "proven leaked on 2")
		case k.Job == "slow" && strings.Contains(k.Stack, "main.sendResult"):
			slowKind = true
			assert.Equal(t, "suspect", k.Verdict)
		case strings.Contains(k.Stack, "main.worker"):
			// The idle pool, proven leaked where the runtime can (its
			// channel is unreachable), does not grow: listed, not
			// blamed for the growth.
			assert.Equal(t, "proven", k.Evidence, "%+v", k)
			assert.Contains(t, k.Summary, "not seen growing")
		}
		assert.NotContains(t, []string{"steady", "bursty", "deploy"}, k.Job, "a kind of a healthy job: %+v", k)
	}
	assert.True(t, apiKind, "the proven kind of job api is named:\n%s", r.stdout)
	assert.True(t, slowKind, "the slow leak's kind is named:\n%s", r.stdout)

	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<svg")
	assert.Contains(t, string(page), "main.computeResult")

	// The text report, as a person reads it.
	r = leakcheck(t, lc, nil, "fleet", "-profiles=false", "-since", watchFor.String(), "-step", "1s", prom)
	assert.Equal(t, exitFound, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Jobs with instances that grow")
	assert.Regexp(t, `api\s+2 of 2 instances grow`, r.stdout)
	t.Logf("the text report:\n%s", r.stdout)

	// pprof's web UI over the growing instances' goroutines, the
	// verdicts at the flame graph's roots.
	ui := startUI(t, lc, "fleet", "-http", "127.0.0.1:0", "-since", watchFor.String(), "-step", "1s", "-every", "2s", prom, `go_goroutines{job="api"}`)
	flame := ui.get(t, "flamegraph")
	assert.Contains(t, flame, `"FullName":"main.computeResult"`)
	assert.True(t, hasRoot(flame, "leak"), "a leak root in the flame graph")
	assert.Equal(t, exitFound, ui.interrupt(t))

	// A selector that matches nothing is an input error, not a clean bill.
	r = leakcheck(t, lc, nil, "fleet", "-since", "1m", prom, `go_goroutines{job="nosuchjob"}`)
	assert.Equal(t, exitError, r.code, r.stdout)
	assert.Contains(t, r.stderr, "matches no series")

	// Only the healthy jobs: exit 0.
	r = leakcheck(t, lc, nil, "fleet", "-since", watchFor.String(), "-step", "1s", prom, `go_goroutines{job=~"steady|bursty|deploy"}`)
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "No instance grows")
}
