package leakcheck_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// watch stands for a long-lived goroutine, such as the background loop
// of a library: it closes started, then waits until stop is closed.
func watch(started chan<- struct{}, stop <-chan struct{}) {
	close(started)
	<-stop
}

// startWatcher starts a watch goroutine, as a library's constructor
// might, and returns once it runs.
func startWatcher(stop <-chan struct{}) {
	started := make(chan struct{})
	go watch(started, stop)
	<-started
}

// Verify goes on the first line of a test. When the test and its
// cleanups are done, every goroutine the test started must have
// returned, or the test fails with a report naming each one, where it
// is blocked and which code started it.
func ExampleVerify() {
	testGet := func(t *testing.T) {
		leakcheck.Verify(t)

		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close) // Verify checks after this cleanup has run
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)

		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		// Without this Close, the connection's goroutines leak and
		// Verify fails the test.
		resp.Body.Close()
	}
	_ = testGet // in a _test.go file: func TestGet(t *testing.T) { ... }
}

// VerifyTestMain checks a whole package at once: it runs the tests and
// fails the run if goroutines started since are still running after the
// last test.
func ExampleVerifyTestMain() {
	testMain := func(m *testing.M) {
		leakcheck.VerifyTestMain(m,
			// The package's cache janitor runs for the life of the
			// process, by design.
			leakcheck.IgnoreCreatedBy("example.com/cache.startJanitor"),
		)
	}
	_ = testMain // in a _test.go file: func TestMain(m *testing.M) { ... }
}

// Find is the check of VerifyTestMain for programs and custom harnesses:
// it returns a *LeakError listing the goroutines still running.
func ExampleFind() {
	// Goroutines that were running before are not this example's concern.
	before := leakcheck.IgnoreCurrent()

	stop := make(chan struct{})
	startWatcher(stop)

	err := leakcheck.Find(before, leakcheck.MaxWait(0))
	var leak *leakcheck.LeakError
	if errors.As(err, &leak) {
		fmt.Println("leaked:", len(leak.Goroutines))
		fmt.Println("started by:", leak.Goroutines[0].CreatedBy.Function)
	}

	close(stop)
	// Find waits up to MaxWait for the watcher to return.
	fmt.Println("after stop:", leakcheck.Find(before))
	// Output:
	// leaked: 1
	// started by: github.com/leakcheck/leakcheck_test.startWatcher
	// after stop: <nil>
}

// IgnoreTopFunction accepts goroutines by the function they are blocked
// in, as named in a stack trace.
func ExampleIgnoreTopFunction() {
	before := leakcheck.IgnoreCurrent()
	stop := make(chan struct{})
	defer close(stop)

	started := make(chan struct{})
	go watch(started, stop)
	<-started // watch is running, so it is the goroutine's top function

	err := leakcheck.Find(before, leakcheck.MaxWait(0),
		leakcheck.IgnoreTopFunction("github.com/leakcheck/leakcheck_test.watch"))
	fmt.Println(err)
	// Output: <nil>
}

// IgnoreCreatedBy accepts goroutines by the function whose go statement
// started them, whatever they are doing.
func ExampleIgnoreCreatedBy() {
	before := leakcheck.IgnoreCurrent()
	stop := make(chan struct{})
	defer close(stop)
	startWatcher(stop)

	err := leakcheck.Find(before, leakcheck.MaxWait(0))
	fmt.Println("without the option:", err != nil)
	err = leakcheck.Find(before, leakcheck.MaxWait(0),
		leakcheck.IgnoreCreatedBy("github.com/leakcheck/leakcheck_test.startWatcher"))
	fmt.Println("with IgnoreCreatedBy:", err)
	// Output:
	// without the option: true
	// with IgnoreCreatedBy: <nil>
}

// MaxWait bounds how long a check waits for goroutines that are shutting
// down. The check returns as soon as they are gone, so a generous wait
// costs nothing when there is no leak.
func ExampleMaxWait() {
	before := leakcheck.IgnoreCurrent()
	stop := make(chan struct{})
	startWatcher(stop)

	close(stop) // the watcher returns soon, but maybe not yet
	err := leakcheck.Find(before, leakcheck.MaxWait(10*time.Second))
	fmt.Println(err)
	// Output: <nil>
}

// A dump pasted into an issue, quoted and with its tabs turned into
// spaces, read with the parser leakcheck uses.
func ExampleParseDump() {
	pasted := `> goroutine 1 [running]:
> main.main()
>     /app/main.go:12 +0x1d
>
> goroutine 35 [chan send, 12 minutes]:
> example.com/app.(*Fetcher).fetch(0xc000120000)
>     /app/fetch.go:31 +0x5a
> created by example.com/app.(*Fetcher).Start in goroutine 1
>     /app/fetch.go:20 +0x45
`
	gs, err := leakcheck.ParseDump(strings.NewReader(pasted))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range gs {
		fmt.Printf("goroutine %d, %s for %v: %s\n", g.ID, g.State, g.Wait, g.Frames[0])
		if g.CreatedBy.Function != "" {
			fmt.Printf("    started by %s in goroutine %d\n", g.CreatedBy, g.ParentID)
		}
	}
	// Output:
	// goroutine 1, running for 0s: main.main at /app/main.go:12
	// goroutine 35, chan send for 12m0s: example.com/app.(*Fetcher).fetch at /app/fetch.go:31
	//     started by example.com/app.(*Fetcher).Start at /app/fetch.go:20 in goroutine 1
}
