// Command failfast measures how soon a failing check fails, as a user
// runs it: go test on a generated package of serial tests, each leaking
// one goroutine, with leakcheck.Verify (default settings, then
// LEAKCHECK_MEMORY=off) and with goleak.VerifyNone side by side; and how
// soon the deadlock watcher reports tests that deadlock. Run it beside a
// CPU load (stress -c 4), where the figures move.
//
// Time to fail is the duration go test prints for the failing test (its
// body returns at once, so the duration is the check's). Kinds of leak:
//
//   - proven: a send on a channel nobody reads, which the runtime proves;
//   - nonrecurring: the same, but only when an earlier test of the
//     package ran first, so that a rerun of the test alone does not leak;
//   - unproven: a receive on a channel a global holds, which nothing
//     proves: it fails when MaxWait (1 s here) runs out.
//
// Deadlock latency is from the moment a test is about to block for good
// (it prints the time) to the moment the watcher's report arrives, for
// kernels in GoKer's shapes: a lock taken twice on a tiny-allocated
// mutex (istio_16224), a WaitGroup one short, two locks in opposite
// order.
//
// Usage, from the bench directory:
//
//	GOTOOLCHAIN=go1.27.4 go run ./failfast -lib .. -runs 20
//	GOTOOLCHAIN=go1.27.4 go run ./failfast -lib /tmp/before   # another copy of leakcheck
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/bench/internal/genmod"
)

var (
	lib      = flag.String("lib", "..", "the copy of leakcheck to measure")
	runs     = flag.Int("runs", 10, "runs of each deadlock kernel")
	tests    = flag.Int("tests", 10, "serial leaking tests per package")
	only     = flag.String("only", "leaks,deadlocks", "what to measure")
	keepTemp = flag.Bool("keep", false, "keep the generated module")
)

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "leakcheck-failfast-")
	check(err)
	if !*keepTemp {
		defer os.RemoveAll(dir)
	} else {
		fmt.Println("module in", dir)
	}
	check(genmod.Write(dir, "failfast", *lib))
	writePackages(dir)
	if strings.Contains(*only, "leaks") {
		measureLeaks(dir)
	}
	if strings.Contains(*only, "deadlocks") {
		measureDeadlocks(dir)
	}
	if len(broken) > 0 {
		fmt.Fprintln(os.Stderr, "failfast: "+strings.Join(broken, "; "))
		os.Exit(1)
	}
}

// broken lists what did not happen as it must: a leaking test that did
// not fail, a deadlock never reported. Timings are never judged.
var broken []string

const leakTest = `
func Test%[1]s%[2]d(t *testing.T) {
	%[3]s
	ready%[2]d = true
	if %[4]s {
		go func() { ch := make(chan int); ch <- 1 }()
	}
}
`

const unprovenTest = `
func TestUnproven%[1]d(t *testing.T) {
	%[2]s
	go func() { <-global }()
}
`

// writePackages writes the leaking packages, one per tool, and the
// deadlock kernels.
func writePackages(dir string) {
	tools := map[string]struct{ imp, check string }{
		"leakcheck": {`"github.com/leakcheck/leakcheck"`, "leakcheck.Verify(t, leakcheck.MaxWait(time.Second))"},
		"goleak":    {`"go.uber.org/goleak"`, "defer goleak.VerifyNone(t)"},
	}
	for tool, c := range tools {
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"testing\"\n\t\"time\"\n\t%s\n)\n\nvar _ = time.Second\nvar global = make(chan int)\n", tool, c.imp)
		for i := range *tests {
			fmt.Fprintf(&b, "var ready%d bool\n", i)
		}
		for i := range *tests {
			fmt.Fprintf(&b, leakTest, "Proven", i, c.check, "true")
		}
		for i := range *tests {
			// Leaks only when the test before it ran in this process.
			cond := "true"
			if i > 0 {
				cond = fmt.Sprintf("readyNonrecurring%d", i-1)
			}
			fmt.Fprintf(&b, strings.ReplaceAll(leakTest, "ready%[2]d = true", "readyNonrecurring%[2]d = true"), "Nonrecurring", i, c.check, cond)
		}
		for i := range *tests {
			fmt.Fprintf(&b, "var readyNonrecurring%d bool\n", i)
		}
		for i := range 3 {
			fmt.Fprintf(&b, unprovenTest, i, c.check)
		}
		pkg := filepath.Join(dir, tool)
		check(os.MkdirAll(pkg, 0o777))
		check(os.WriteFile(filepath.Join(pkg, "leak_test.go"), []byte(b.String()), 0o666))
	}
	pkg := filepath.Join(dir, "deadlock")
	check(os.MkdirAll(pkg, 0o777))
	check(os.WriteFile(filepath.Join(pkg, "deadlock_test.go"), []byte(deadlockKernels), 0o666))
}

const deadlockKernels = `package deadlock

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func formed() { fmt.Fprintf(os.Stderr, "FORMED %d\n", time.Now().UnixNano()) }

var sink any

// istio_16224's shape: an 8-byte mutex, tiny-allocated, locked twice.
type counter struct{ mu sync.Mutex }

func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked()
}

func (c *counter) addLocked() {
	c.mu.Lock() // taken twice
	c.mu.Unlock()
}

func TestTinyMutexTwice(t *testing.T) {
	leakcheck.Verify(t)
	formed() // before the allocation: printing allocates tiny objects too
	c := &counter{}
	sink = c
	sink = nil
	c.add()
}

func TestWaitGroupOneShort(t *testing.T) {
	leakcheck.Verify(t)
	var wg sync.WaitGroup
	wg.Add(3)
	for range 2 {
		go wg.Done()
	}
	formed()
	wg.Wait()
}

func TestOppositeOrder(t *testing.T) {
	leakcheck.Verify(t)
	a, b := new(sync.Mutex), new(sync.Mutex)
	a.Lock()
	locked := make(chan bool)
	go func() {
		b.Lock()
		locked <- true
		a.Lock()
	}()
	<-locked
	formed()
	b.Lock()
}
`

// measureLeaks runs each leaking package and prints time to fail.
func measureLeaks(dir string) {
	type variant struct {
		name, pkg string
		env       []string
	}
	variants := []variant{
		{"leakcheck", "leakcheck", nil},
		{"leakcheck LEAKCHECK_MEMORY=off", "leakcheck", []string{"LEAKCHECK_MEMORY=off"}},
		{"goleak", "goleak", nil},
	}
	kinds := []string{"Proven", "Nonrecurring", "Unproven"}
	fmt.Printf("## Time to fail, %d serial tests per kind (median, min–max; whole run)\n\n", *tests)
	fmt.Printf("| variant | proven | non-recurring | unproven (MaxWait 1 s) | go test's wall time |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, v := range variants {
		bin := filepath.Join(dir, v.pkg+".test")
		if _, err := os.Stat(bin); err != nil {
			build(dir, v.pkg, bin)
		}
		cmd := exec.Command(bin, "-test.v", "-test.count=1")
		cmd.Dir = filepath.Join(dir, v.pkg)
		cmd.Env = append(os.Environ(), v.env...)
		start := time.Now()
		out, _ := cmd.CombinedOutput() // the tests fail: that is the point
		wall := time.Since(start)
		took := failDurations(string(out))
		row := "| " + v.name
		for _, k := range kinds {
			row += " | " + summary(took[k])
			if len(took[k]) == 0 {
				broken = append(broken, v.name+": no "+k+" test failed")
			}
		}
		fmt.Printf("%s | %v |\n", row, wall.Round(10*time.Millisecond))
	}
	fmt.Println()
}

var failLine = regexp.MustCompile(` *--- FAIL: Test(Proven|Nonrecurring|Unproven)\d+ \(([0-9.]+)s\)`)

// failDurations returns, by kind, the durations go test printed for
// failing tests.
func failDurations(out string) map[string][]time.Duration {
	took := make(map[string][]time.Duration)
	for _, m := range failLine.FindAllStringSubmatch(out, -1) {
		s, _ := strconv.ParseFloat(m[2], 64)
		took[m[1]] = append(took[m[1]], time.Duration(s*float64(time.Second)))
	}
	return took
}

func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none failed"
	}
	slices.Sort(ds)
	return fmt.Sprintf("%.2f s (%.2f–%.2f, %d)", ds[len(ds)/2].Seconds(), ds[0].Seconds(), ds[len(ds)-1].Seconds(), len(ds))
}

// measureDeadlocks runs each kernel -runs times and prints the time from
// its forming to the watcher's report.
func measureDeadlocks(dir string) {
	bin := filepath.Join(dir, "deadlock.test")
	build(dir, "deadlock", bin)
	fmt.Printf("## Deadlock report latency, %d runs per kernel\n\n", *runs)
	fmt.Printf("| kernel | median | 95th percentile | max | over 2 s | ran into -timeout |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
	var all []time.Duration
	for _, k := range []string{"TestTinyMutexTwice", "TestWaitGroupOneShort", "TestOppositeOrder"} {
		var lat []time.Duration
		timeouts := 0
		for range *runs {
			d, ok := deadlockLatency(bin, k)
			if !ok {
				timeouts++
				continue
			}
			lat = append(lat, d)
		}
		all = append(all, lat...)
		if len(lat) == 0 {
			broken = append(broken, k+" was never reported")
		}
		fmt.Printf("| %s | %s | %s | %s | %d | %d |\n", k, pct(lat, 50), pct(lat, 95), pct(lat, 100), over(lat, 2*time.Second), timeouts)
	}
	fmt.Printf("| all | %s | %s | %s | %d of %d | |\n\n", pct(all, 50), pct(all, 95), pct(all, 100), over(all, 2*time.Second), len(all))
}

// deadlockLatency runs one kernel and returns the time from its forming
// to the report, or false when the report never came (-timeout).
func deadlockLatency(bin, test string) (time.Duration, bool) {
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.timeout=30s")
	stdout, err := cmd.StdoutPipe()
	check(err)
	stderr, err := cmd.StderrPipe()
	check(err)
	check(cmd.Start())
	formedAt := make(chan time.Time, 1)
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "FORMED "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				formedAt <- time.Unix(0, n)
			}
		}
	}()
	var reported time.Time
	var last []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if reported.IsZero() && strings.Contains(sc.Text(), "deadlocked:") {
			reported = time.Now()
		}
		last = append(last[max(0, len(last)-4):], sc.Text())
	}
	<-stderrDone // Wait closes the pipes: read them whole first
	cmd.Wait()
	if reported.IsZero() {
		fmt.Fprintf(os.Stderr, "failfast: %s was not reported; its last lines:\n%s\n", test, strings.Join(last, "\n"))
		return 0, false
	}
	select {
	case f := <-formedAt:
		return reported.Sub(f), true
	default:
		return 0, false
	}
}

func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return fmt.Sprintf("%.2f s", s[max(0, i)].Seconds())
}

func over(ds []time.Duration, limit time.Duration) int {
	n := 0
	for _, d := range ds {
		if d > limit {
			n++
		}
	}
	return n
}

func build(dir, pkg, bin string) {
	cmd := exec.Command("go", "test", "-c", "-o", bin, "./"+pkg)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "failfast:", err)
		os.Exit(2)
	}
}
