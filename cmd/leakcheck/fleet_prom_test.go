package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeProm answers /api/v1/series and /api/v1/query_range as Prometheus
// 2.42 does (the shapes of its answers, its 11,000 points per series
// limit, values as strings at start + k*step), over series whose values
// value(instance, t) gives, for the tests of the reader: chunks, batches,
// and the answers of a server that misbehaves.
type fakeProm struct {
	instances []string
	value     func(instance int, t float64) (float64, bool)
	warnings  []string
	partial   bool // answers say isPartial, as VictoriaMetrics does

	mu    sync.Mutex
	steps map[float64]int // how many times each step was asked, over all series
}

var instanceMatcher = regexp.MustCompile(`instance=~"((?:[^"\\]|\\.)*)"`)

func (f *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	w.Header().Set("Content-Type", "application/json")
	answer := func(data any) {
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": data, "warnings": f.warnings, "isPartial": f.partial})
	}
	switch r.URL.Path {
	case "/api/v1/series":
		var out []map[string]string
		for _, in := range f.instances {
			out = append(out, map[string]string{"__name__": "go_goroutines", "job": "api", "instance": in})
		}
		answer(out)
	case "/api/v1/query_range":
		start, _ := strconv.ParseFloat(q.Get("start"), 64)
		end, _ := strconv.ParseFloat(q.Get("end"), 64)
		step, _ := strconv.ParseFloat(q.Get("step"), 64)
		if (end-start)/step >= 11000 {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"status": "error", "errorType": "bad_data",
				"error": "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})
			return
		}
		match := regexp.MustCompile(".*")
		if m := instanceMatcher.FindStringSubmatch(q.Get("query")); m != nil {
			s, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			match = regexp.MustCompile("^(?:" + s + ")$")
		}
		type series struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		}
		var out []series
		for i, in := range f.instances {
			if !match.MatchString(in) {
				continue
			}
			s := series{Metric: map[string]string{"job": "api", "instance": in}}
			for t := start; t <= end+1e-9; t += step {
				f.mu.Lock()
				f.steps[t]++
				f.mu.Unlock()
				if v, ok := f.value(i, t); ok {
					s.Values = append(s.Values, [2]any{t, strconv.FormatFloat(v, 'f', -1, 64)})
				}
			}
			if len(s.Values) > 0 {
				out = append(out, s)
			}
		}
		answer(map[string]any{"resultType": "matrix", "result": out})
	case "/api/v1/targets":
		answer(map[string]any{"activeTargets": []any{}})
	default:
		http.NotFound(w, r)
	}
}

func newFakeProm(t *testing.T, n int, value func(int, float64) (float64, bool)) (*fakeProm, string) {
	f := &fakeProm{value: value, steps: make(map[float64]int)}
	for i := range n {
		f.instances = append(f.instances, fmt.Sprintf("10.0.%d.%d:9100", i/250, i%250))
	}
	srv := newLoopbackServer(t, f)
	return f, srv.URL
}

// runCmd runs the command in this process.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func fleetJSON(t *testing.T, out string) fleetDoc {
	t.Helper()
	var d fleetDoc
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	return d
}

// A long window at a fine step is read in chunks of time that neither
// repeat nor skip a step, a big fleet in batches of instances; a leak
// among them is found.
func TestFleetChunksAndBatches(t *testing.T) {
	const leaky = 7
	value := func(i int, t float64) (float64, bool) {
		if i == leaky {
			return 100 + math.Mod(t, 86400)/60, true // +60/h
		}
		return float64(100 + (i*7+int(t/60))%13), true
	}
	for _, tc := range []struct {
		name        string
		instances   int
		since, step string
		steps       int
		requests    int
	}{
		// 26 hours at a 6 s step: 15,601 steps, two chunks.
		{"chunks", 10, "26h", "6s", 15601, 1 + 2},
		// 1,200 series: three batches.
		{"batches", 1200, "4h", "1m", 241, 1 + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFakeProm(t, tc.instances, value)
			code, out, errs := runCmd("fleet", "-json", "-profiles=false", "-since", tc.since, "-step", tc.step, url)
			require.Equal(t, exitFound, code, errs)
			d := fleetJSON(t, out)
			require.Len(t, d.Instances, tc.instances)
			assert.Equal(t, tc.requests, d.Requests)
			for i, in := range d.Instances {
				want := verdictOK
				if in.Instance == f.instances[leaky] {
					want = verdictSuspect
					assert.InDelta(t, 60, in.PerHour, 1, in.Note)
				}
				assert.Equal(t, want, in.Verdict, "instance %d %s: %s", i, in.Instance, in.Note)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			for at, n := range f.steps {
				require.Equal(t, tc.instances, n, "step at %v asked more than once, or not for every series", at)
			}
			assert.Len(t, f.steps, tc.steps)
		})
	}
}

// What Prometheus and the network do wrong, each a clear message and
// exit status 2, never a verdict made of part of the data.
func TestFleetBadPrometheus(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}()
	serve := func(h http.HandlerFunc) string { return newLoopbackServer(t, h).URL }
	block := make(chan struct{}) // closed at the end, before the servers close
	for _, tc := range []struct {
		name string
		url  string
		args []string
		want string
	}{
		{"down", refused, nil, "cannot connect to Prometheus"},
		{"an error answer", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"}`)
		}), nil, "answered an error (execution): query processing would load too many samples"},
		{"an HTML page", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>login</html>")
		}), nil, "is not a Prometheus API"},
		{"a 502 from a proxy", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}), nil, "is not a Prometheus API: it answered 502"},
		{"slow", serve(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // then the server sees the client hang up
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}), []string{"-timeout", "1s"}, "no answer within -timeout=1s"},
		{"cut short", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"success","data":[{"job":"api","instance":"a"}`)
		}), nil, "the answer to /api/v1/series was cut short"},
		{"a huge answer", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"success","data":[`)
			for i := range 100000 {
				fmt.Fprintf(w, `{"job":"api","instance":"10.0.0.%d:9100"},`, i)
			}
		}), []string{"-max-size", "100000"}, "an answer larger than -max-size=100000 bytes"},
		{"an unknown status", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"maybe","data":[]}`)
		}), nil, `status "maybe"`},
		{"no series", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"success","data":[]}`)
		}), nil, "matches no series"},
		{"a vector for a matrix", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/series") {
				fmt.Fprint(w, `{"status":"success","data":[{"job":"api","instance":"a"}]}`)
				return
			}
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		}), nil, `result type "vector", want matrix`},
		{"a bad point", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/series") {
				fmt.Fprint(w, `{"status":"success","data":[{"job":"api","instance":"a"}]}`)
				return
			}
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}`)
		}), nil, "the value is not a string"},
		{"not a URL", "prometheus:9090", nil, "bad Prometheus URL"},
		{"an expression", "http://127.0.0.1:1", []string{"--", "rate(go_goroutines[5m])"}, "want a vector selector"},
	} {
		if tc.name == "slow" {
			t.Cleanup(func() { close(block) }) // runs before the servers' cleanups, registered before
		}
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"fleet", "-profiles=false"}, tc.args...)
			if len(tc.args) > 0 && tc.args[0] == "--" {
				args = append([]string{"fleet", "-profiles=false", tc.url}, tc.args[1:]...)
			} else {
				args = append(args, tc.url)
			}
			code, out, errs := runCmd(args...)
			assert.Equal(t, exitError, code, out)
			assert.Contains(t, errs, tc.want)
			assert.Equal(t, 1, strings.Count(errs, "\n"), "one line: %q", errs)
		})
	}
}

// Warnings (a partial answer of Thanos or Mimir) are shown; a series
// that stops, or has holes, is judged on what it has.
func TestFleetWarningsAndHoles(t *testing.T) {
	f, url := newFakeProm(t, 3, func(i int, t float64) (float64, bool) {
		min := int(t/60) % 1440
		switch i {
		case 0: // gone half-way through the day
			return 50, min < 720
		case 1: // scrapes failing one hour in four
			return 50 + float64(min%13), (min/60)%4 != 0
		}
		return 80, true
	})
	f.warnings = []string{"PromQL info: partial response: store gateway 3 unavailable"}
	f.partial = true
	code, out, errs := runCmd("fleet", "-profiles=false", url)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "Prometheus warned (the data may be partial): PromQL info: partial response: store gateway 3 unavailable")
	assert.Contains(t, out, "Prometheus warned (the data may be partial): the answer is partial (isPartial")
	assert.Contains(t, out, "No instance grows: 3 judged")
}

func TestWithMatcher(t *testing.T) {
	for in, want := range map[string]string{
		`go_goroutines`:              `go_goroutines{a="b"}`,
		`go_goroutines{}`:            `go_goroutines{a="b"}`,
		`go_goroutines{job="api"}`:   `go_goroutines{job="api",a="b"}`,
		`{__name__="go_goroutines"}`: `{__name__="go_goroutines",a="b"}`,
		` go_goroutines{job="x"} `:   `go_goroutines{job="x",a="b"}`,
	} {
		assert.Equal(t, want, withMatcher(in, `a="b"`), in)
		assert.NoError(t, checkSelector(in), in)
	}
	for _, bad := range []string{"", "rate(x[5m])", "sum by (job) (go_goroutines)", "go_goroutines[5m]", "a b"} {
		assert.Error(t, checkSelector(bad), bad)
	}
}

// FuzzPromAnswer feeds the readers of the API's answers arbitrary bytes:
// an error or a result, never a panic.
func FuzzPromAnswer(f *testing.F) {
	for _, s := range []string{
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a","instance":"b"},"values":[[1700000000,"12"],[1700000015.5,"NaN"]]}]},"warnings":["w"]}`,
		`{"status":"error","errorType":"bad_data","error":"parse error"}`,
		`{"data":{"result":[],"resultType":"matrix"},"status":"success"}`,
		`{"status":"success","data":[{"__name__":"go_goroutines","job":"api","instance":"10.0.0.1:9100"}]}`,
		`{"status":"success","data":{"activeTargets":[{"labels":{"job":"a"},"scrapeUrl":"http://h:1/metrics","health":"up"}]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"+Inf"],[2,"-1e308"]]}]}}`,
		`{"status":"success","isPartial":true,"data":{"resultType":"matrix","result":[]}}`,
		`[]`, `{`, `{"status":"success"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		points := 0
		_ = decodeEnvelope(json.NewDecoder(bytes.NewReader(b)), func(d *json.Decoder) error {
			return readMatrix(d, func(s *promSeries) error {
				points += len(s.Values)
				return nil
			})
		}, func(string) {})
		_ = decodeEnvelope(json.NewDecoder(bytes.NewReader(b)), func(d *json.Decoder) error {
			var ls []map[string]string
			return d.Decode(&ls)
		}, func(string) {})
		var p promPoint
		if p.UnmarshalJSON(b) == nil {
			assert.False(t, math.IsNaN(p.T) || math.IsInf(p.T, 0), "a time that is not a number")
		}
	})
}
