// Command dumpgen writes real goroutine dumps, as returned by
// runtime.Stack(buf, true), to files used as fixtures by the parser tests.
//
// Run it from the repository root:
//
//	go run ./internal/stack/testdata/dumpgen -out internal/stack/testdata/dumps
//	GOTOOLCHAIN=go1.27.4 go run ./internal/stack/testdata/dumpgen -out internal/stack/testdata/dumps
//	GOEXPERIMENT=goroutineleakprofile go run ./internal/stack/testdata/dumpgen -out internal/stack/testdata/dumps
//
// Each variant runs in a fresh child process (the program re-executes
// itself), because some settings are read only at process start
// (GODEBUG=tracebackancestors, GOTRACEBACK) and because a dump should show
// only that variant's goroutines. The files are named after the Go release,
// e.g. go1.26-basic.txt; a go1.26 binary built with the leak-profile
// experiment writes go1.26exp-*.txt and only the variants the experiment
// changes.
//
// The synctest variant needs a *testing.T, so it lives in
// synctest_test.go beside this file; the generator runs it with
// "go test" in this directory (see runSynctest). It can also be run by
// hand:
//
//	cd internal/stack/testdata/dumpgen && go test -run TestSynctestDump -args -out ../dumps
//
// The parser tests find goroutines by the distinctive function names below
// (blockChanSend, leakChanSend, ...): renaming one breaks those tests.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// variants maps each variant to the environment its child process needs.
// runtime.Stack ignores GOTRACEBACK (it always prints at level 1), so the
// system variant is the crash dump the child prints when it panics, read
// from its standard error.
var variants = []struct {
	name  string
	env   []string
	crash bool
}{
	{"basic", nil, false},
	{"labels", nil, false}, // GODEBUG=tracebacklabels=1 is set at run time, on purpose
	{"leaked", nil, false},
	{"ancestors", []string{"GODEBUG=tracebackancestors=5"}, false},
	{"system", []string{"GOTRACEBACK=system"}, true},
}

func main() {
	out := flag.String("out", "internal/stack/testdata/dumps", "directory for the dump files")
	variant := flag.String("variant", "", "write only this variant, in this process (used by the re-executed child)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("dumpgen: ")

	if *variant != "" {
		if err := writeVariant(*out, *variant); err != nil {
			log.Fatal(err)
		}
		return
	}

	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range variants {
		if experimentBuild() && v.name != "leaked" {
			continue // identical to the plain go1.26 files
		}
		cmd := exec.Command(self, "-out", *out, "-variant", v.name)
		cmd.Env = append(os.Environ(), v.env...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if v.crash {
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				log.Fatalf("variant %s: the child did not crash", v.name)
			}
			if err := writeDump(*out, v.name, stderr.String()); err != nil {
				log.Fatal(err)
			}
			continue
		}
		if err := cmd.Run(); err != nil {
			log.Fatalf("variant %s: %v", v.name, err)
		}
	}
	if !experimentBuild() {
		if err := runSynctest(*out); err != nil {
			log.Fatalf("variant synctest: %v", err)
		}
	}
}

// release returns the file name prefix for this binary: "go1.26",
// "go1.27", or "go1.26exp" for go1.26 with GOEXPERIMENT=goroutineleakprofile.
func release() string {
	v := runtime.Version() // "go1.26.8", or "devel ..." on tip
	if parts := strings.SplitN(v, ".", 3); len(parts) >= 2 {
		v = parts[0] + "." + parts[1]
	}
	if experimentBuild() {
		v += "exp"
	}
	return v
}

// experimentBuild reports a go1.26 binary with the goroutine leak profile
// experiment: the profile exists there only when the experiment is on.
func experimentBuild() bool {
	return strings.HasPrefix(runtime.Version(), "go1.26") && pprof.Lookup("goroutineleak") != nil
}

func writeVariant(dir, name string) error {
	var dump string
	switch name {
	case "basic":
		stop := startBasic()
		dump = stackAll()
		stop()
	case "system":
		startBasic()
		// The parent keeps what the crash prints on standard error.
		panic("dumpgen: crash to print a GOTRACEBACK=system dump")
	case "labels":
		dump = labelsDump()
	case "leaked":
		p := pprof.Lookup("goroutineleak")
		if p == nil {
			log.Printf("variant leaked: no goroutineleak profile in %s; skipped", runtime.Version())
			return nil
		}
		startLeaks()
		// A blocked goroutine that is not leaked: its channel is global.
		go blockChanReceive(globalChan)
		settle()
		// The profile's detection GC marks the leaked goroutines; the dump
		// taken afterwards shows them as "(leaked)".
		if err := p.WriteTo(io.Discard, 1); err != nil {
			return err
		}
		dump = stackAll()
	case "ancestors":
		dump = ancestorsDump()
	default:
		return fmt.Errorf("unknown variant %q", name)
	}
	return writeDump(dir, name, dump)
}

func writeDump(dir, name, dump string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, release()+"-"+name+".txt")
	if err := os.WriteFile(file, []byte(dump), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s (%d goroutines, %d bytes)", file, strings.Count(dump, "\ngoroutine ")+1, len(dump))
	return nil
}

// stackAll returns the dump of all goroutines, growing the buffer until
// it fits.
func stackAll() string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// settle gives new goroutines time to reach their blocking call; a mutex
// waiter spins a little before it parks.
func settle() { time.Sleep(200 * time.Millisecond) }

// globalChan is reachable from a global, so the leak detector can never
// prove its waiters leaked.
var globalChan = make(chan int)

// startBasic starts one goroutine per interesting state and returns a
// function that releases the ones that can be released.
func startBasic() (stop func()) {
	var (
		unbuffered = make(chan int)
		never      = make(chan int)
		mu         sync.Mutex
		rwWriter   sync.RWMutex
		rwReader   sync.RWMutex
		wg         sync.WaitGroup
		cond       = sync.NewCond(new(sync.Mutex))
		spin       atomic.Bool
		release    = make(chan struct{})
	)
	mu.Lock()
	rwWriter.Lock()
	rwReader.RLock()
	wg.Add(1)
	spin.Store(true)

	go blockChanSend(unbuffered)
	go blockChanReceive(never)
	go blockSelect(never, make(chan int))
	go blockSelectNoCases()
	go blockNilChanSend()
	go blockNilChanReceive()
	go blockMutexLock(&mu)
	go blockRWMutexRLock(&rwWriter)
	go blockRWMutexLock(&rwReader)
	go blockWaitGroupWait(&wg)
	go blockCondWait(cond)
	go blockSleep()
	go busyLoop(&spin)
	go blockLockedToThread(never)
	go blockGeneric[string](make(chan string))
	go blockGeneric[map[int][]byte](make(chan map[int][]byte))
	w := &waiter{ch: never}
	go w.wait()
	startClosure(never)
	go blockInlined(never)
	go recurse(150, never)
	spawnOrphan(never)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go blockAccept(ln)
	settle()
	// A second Accept on the same listener waits for the first one's
	// hold on the descriptor: a plain "semacquire".
	go blockAcceptSemacquire(ln)
	settle()

	return func() {
		spin.Store(false)
		close(release)
		ln.Close()
	}
}

//go:noinline
func blockChanSend(ch chan int) { ch <- 1 }

//go:noinline
func blockChanReceive(ch chan int) { <-ch }

//go:noinline
func blockSelect(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func blockSelectNoCases() { select {} }

//go:noinline
func blockNilChanSend() {
	var ch chan int
	ch <- 1
}

//go:noinline
func blockNilChanReceive() {
	var ch chan int
	<-ch
}

//go:noinline
func blockMutexLock(mu *sync.Mutex) { mu.Lock() }

//go:noinline
func blockRWMutexRLock(mu *sync.RWMutex) { mu.RLock() }

//go:noinline
func blockRWMutexLock(mu *sync.RWMutex) { mu.Lock() }

//go:noinline
func blockWaitGroupWait(wg *sync.WaitGroup) { wg.Wait() }

//go:noinline
func blockCondWait(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

//go:noinline
func blockSleep() { time.Sleep(time.Hour) }

//go:noinline
func busyLoop(spin *atomic.Bool) {
	for spin.Load() {
	}
}

//go:noinline
func blockLockedToThread(ch chan int) {
	runtime.LockOSThread()
	<-ch
}

//go:noinline
func blockGeneric[T any](ch chan T) { <-ch }

type waiter struct{ ch chan int }

//go:noinline
func (w *waiter) wait() { <-w.ch }

// startClosure starts main.startClosure.func1.
//
//go:noinline
func startClosure(ch chan int) {
	go func() { <-ch }()
}

// inlinedReceive is small enough to be inlined into blockInlined, so the
// dump shows it as "main.inlinedReceive(...)".
func inlinedReceive(ch chan int) int { return <-ch }

//go:noinline
func blockInlined(ch chan int) { _ = inlinedReceive(ch) }

// recurse blocks under depth frames of itself: deep enough that the
// runtime elides the middle of the stack.
//
//go:noinline
func recurse(depth int, ch chan int) int {
	if depth == 0 {
		return <-ch
	}
	return recurse(depth-1, ch) + 1
}

// spawnOrphan starts orphan from a goroutine that exits at once, so the
// dump names a creator goroutine that no longer exists.
func spawnOrphan(ch chan int) {
	done := make(chan struct{})
	go func() {
		go orphan(ch)
		close(done)
	}()
	<-done
}

//go:noinline
func orphan(ch chan int) { <-ch }

//go:noinline
func blockAccept(ln net.Listener) {
	if c, err := ln.Accept(); err == nil {
		c.Close()
	}
}

//go:noinline
func blockAcceptSemacquire(ln net.Listener) {
	if c, err := ln.Accept(); err == nil {
		c.Close()
	}
}

// labelsDump starts the basic goroutines under inherited labels, adds
// goroutines with awkward label values, and dumps with tracebacklabels=1.
func labelsDump() string {
	// Labels on the main goroutine are inherited by every goroutine it
	// starts from now on, transitively.
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("scope", "test/TestBasic"))
	pprof.SetGoroutineLabels(ctx)
	stop := startBasic()
	defer stop()

	never := make(chan int)
	tricky := []struct{ fn func(chan int) }{
		{labelSpaces}, {labelQuotes}, {labelUnicode}, {labelBrackets}, {labelSeparators}, {labelEmpty},
	}
	for _, t := range tricky {
		go t.fn(never)
	}
	// pprof.Do replaces the inherited set with its own for the goroutines
	// started inside.
	pprof.Do(context.Background(), pprof.Labels("only", "this"), func(context.Context) {
		go labelReplaced(never)
	})
	settle()
	if err := os.Setenv("GODEBUG", "tracebacklabels=1"); err != nil {
		log.Fatal(err)
	}
	return stackAll()
}

// Each labelX function runs with one awkward label and blocks; the labels
// are set by the goroutine itself so the test knows the exact set.

func withLabels(kv ...string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(kv...)))
}

//go:noinline
func labelSpaces(ch chan int) {
	withLabels("with space", "a b  c")
	<-ch
}

//go:noinline
func labelQuotes(ch chan int) {
	withLabels(`quote"key`, `say "hi" \ back\slash`, "tab\tnl", "line1\nline2\r")
	<-ch
}

//go:noinline
func labelUnicode(ch chan int) {
	withLabels("ключ", "日本語 ✓", "emoji", "🙂")
	<-ch
}

//go:noinline
func labelBrackets(ch chan int) {
	withLabels("k]", "v]:", "br}", "{x}", "open[", "]]")
	<-ch
}

//go:noinline
func labelSeparators(ch chan int) {
	withLabels("a, b", "c: d, e", "x", "y, z: w")
	<-ch
}

//go:noinline
func labelEmpty(ch chan int) {
	withLabels("empty", "", "plain", "ok.v1/x_y")
	<-ch
}

//go:noinline
func labelReplaced(ch chan int) { <-ch }

// startLeaks starts goroutines blocked on primitives that nothing else
// references: the leak profile proves them leaked.
func startLeaks() {
	go leakChanSend()
	go leakChanReceive()
	go leakSelect()
	go leakMutexLock()
	go leakWaitGroupWait()
	go leakCondWait()
	go leakNilChanReceive()
}

//go:noinline
func leakChanSend() {
	ch := make(chan int)
	ch <- 1
}

//go:noinline
func leakChanReceive() {
	ch := make(chan int)
	<-ch
}

//go:noinline
func leakSelect() {
	a, b := make(chan int), make(chan int)
	select {
	case <-a:
	case b <- 1:
	}
}

// paddedMutex is too large for the tiny allocator, which could otherwise
// share its block with a live object and hide the leak.
type paddedMutex struct {
	mu  sync.Mutex
	pad [64]byte
}

//go:noinline
func leakMutexLock() {
	m := new(paddedMutex)
	m.mu.Lock()
	m.mu.Lock()
}

//go:noinline
func leakWaitGroupWait() {
	wg := new(sync.WaitGroup)
	wg.Add(1)
	wg.Wait()
}

//go:noinline
func leakCondWait() {
	m := new(paddedMutex)
	c := sync.NewCond(&m.mu)
	c.L.Lock()
	c.Wait()
}

//go:noinline
func leakNilChanReceive() {
	var ch chan int
	<-ch
}

// ancestorsDump starts a chain of goroutines, each created by the
// previous one, so that tracebackancestors lists the whole lineage.
func ancestorsDump() string {
	never := make(chan int)
	ready := make(chan struct{})
	go ancestorLevel1(never, ready)
	<-ready
	settle()
	return stackAll()
}

//go:noinline
func ancestorLevel1(ch chan int, ready chan struct{}) {
	go ancestorLevel2(ch, ready)
	<-ch
}

//go:noinline
func ancestorLevel2(ch chan int, ready chan struct{}) {
	go ancestorLevel3(ch, ready)
	<-ch
}

//go:noinline
func ancestorLevel3(ch chan int, ready chan struct{}) {
	close(ready)
	<-ch
}

// runSynctest runs TestSynctestDump in this directory with "go test",
// which writes the synctest dump.
func runSynctest(out string) error {
	_, src, _, ok := runtime.Caller(0)
	if !ok {
		return fmt.Errorf("cannot locate the generator's source")
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "test", "-count=1", "-run", "^TestSynctestDump$", ".", "-args", "-out", abs)
	cmd.Dir = filepath.Dir(src)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
