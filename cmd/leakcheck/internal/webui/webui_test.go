package webui

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goroutines is a goroutine profile of two kinds, one labelled a leak.
func goroutines() *profile.Profile {
	fn := func(id uint64, name string) *profile.Function {
		return &profile.Function{ID: id, Name: name, SystemName: name, Filename: "/src/app/main.go"}
	}
	send, serve, worker := fn(1, "main.send"), fn(2, "main.serve"), fn(3, "main.worker")
	loc := func(id uint64, f *profile.Function, line int64) *profile.Location {
		return &profile.Location{ID: id, Line: []profile.Line{{Function: f, Line: line}}}
	}
	l1, l2, l3 := loc(1, send, 12), loc(2, serve, 30), loc(3, worker, 44)
	return &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		DefaultSampleType: "goroutine",
		PeriodType:        &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:            1,
		Function:          []*profile.Function{send, serve, worker},
		Location:          []*profile.Location{l1, l2, l3},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{l1, l2}, Value: []int64{300}, Label: map[string][]string{"verdict": {"leak"}}},
			{Location: []*profile.Location{l3}, Value: []int64{20}, Label: map[string][]string{"verdict": {"ok"}}},
		},
	}
}

// start starts Serve on a port of its own and returns the UI's URL and a
// function that stops it and returns what Serve returned.
func start(t *testing.T, p *profile.Profile) (url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, "127.0.0.1:0", p, func(u string) { urls <- u }) }()
	select {
	case url = <-urls:
	case err := <-errc:
		cancel()
		t.Fatalf("Serve: %v", err)
	}
	return url, func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(time.Minute):
			t.Fatal("Serve did not return once its context was done")
			return nil
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %.300s", url, b)
	return string(b)
}

func TestServe(t *testing.T) {
	p := goroutines()
	url, stop := start(t, p)
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:") && strings.HasSuffix(url, "/ui/"), url)

	flame := get(t, url+"flamegraph")
	assert.True(t, strings.Contains(flame, `"FullName":"leak","FileName":"verdict"`), "the verdict is the flame graph's root")
	assert.True(t, strings.Contains(flame, `"FullName":"main.send"`), "the functions are in the flame graph")
	assert.True(t, strings.Contains(flame, "<title>leakcheck goroutine</title>"), "the page is named for leakcheck")
	top := get(t, url+"top")
	assert.True(t, strings.Contains(top, "main.send") && strings.Contains(top, "main.worker"), "top lists the functions")
	assert.True(t, strings.Contains(get(t, url+"top?tf=verdict%3Dleak"), "main.send"), "the verdict is a tag to focus on")
	assert.False(t, strings.Contains(get(t, url+"top?tf=verdict%3Dleak"), "main.worker"), "focusing on the leaks leaves the rest out")
	assert.True(t, strings.Contains(get(t, strings.TrimSuffix(url, "ui/")), "main.send"), "the root leads to the UI")

	resp, err := http.Get(url + "nothing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	require.NoError(t, stop(), "a done context ends Serve without an error")
	_, err = http.Get(url + "top")
	assert.Error(t, err, "nothing listens once Serve returned")
	assert.Empty(t, p.Mapping, "the caller's profile is left as it is")
}

func TestServeErrors(t *testing.T) {
	ctx := context.Background()
	ready := func(string) { t.Error("ready called") }
	assert.ErrorContains(t, Serve(ctx, "127.0.0.1:0", nil, ready), "no profile")
	assert.ErrorContains(t, Serve(ctx, "nonsense", goroutines(), ready), "-http nonsense")

	// A port in use.
	url, stop := start(t, goroutines())
	hostport := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/ui/")
	assert.ErrorContains(t, Serve(ctx, hostport, goroutines(), ready), "address already in use")
	require.NoError(t, stop())

	// A context already done: Serve starts and ends at once.
	done, cancel := context.WithCancel(ctx)
	cancel()
	assert.NoError(t, Serve(done, "127.0.0.1:0", goroutines(), nil))
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "[::1]": true, "127.0.0.2": true, "": false, "0.0.0.0": false, "10.0.0.7": false, "example.com": false} {
		assert.Equal(t, want, isLoopback(host), host)
	}
}
