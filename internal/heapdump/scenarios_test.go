package heapdump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// The helper process: the test binary run again with helperEnv naming a
// scenario. It starts the scenario's goroutines, which allocate and then
// block for good, captures a heap dump into the directory in dirEnv,
// measures it, and prints a helperOutput as JSON. Each scenario gets a
// process of its own, so that nothing else in it holds the memory.
const (
	helperEnv = "LEAKCHECK_HEAPDUMP_HELPER"
	dirEnv    = "LEAKCHECK_HEAPDUMP_DIR"
)

type helperOutput struct {
	Groups    [][]uint64
	AllocLine int // line of the 48 MiB allocation, for the alone scenario
	Dump      string
	Result    *Result
}

// A scenario starts goroutines and returns their IDs, one slice per
// group, once they all hold their memory and block.
type scenario func() [][]uint64

var scenarios = map[string]scenario{
	"alone":    func() [][]uint64 { return [][]uint64{start(1, func() { holdAlone(48 << 20) })} },
	"global":   func() [][]uint64 { return [][]uint64{start(1, holdGlobal)} },
	"many":     func() [][]uint64 { return [][]uint64{start(1000, func() { holdAlone(64 << 10) })} },
	"list":     func() [][]uint64 { return [][]uint64{start(1, func() { holdList(10000) })} },
	"chansend": func() [][]uint64 { return [][]uint64{start(1, sendForever)} },
	"mutex":    func() [][]uint64 { return [][]uint64{start(1, lockTwice)} },
	"shared":   shareBetweenGroups,
}

// allScenarios runs every scenario in one process, each group its own.
func allScenarios() [][]uint64 {
	var all [][]uint64
	for _, name := range []string{"alone", "global", "many", "list", "chansend", "mutex", "shared"} {
		all = append(all, scenarios[name]()...)
	}
	return all
}

func init() { scenarios["all"] = allScenarios }

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		if err := runHelper(name, os.Getenv(dirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(name, dir string) error {
	sc, ok := scenarios[name]
	if !ok {
		return fmt.Errorf("no scenario %q", name)
	}
	out := helperOutput{Groups: sc()}
	out.AllocLine = allocLine
	path, err := Capture(dir)
	if err != nil {
		return err
	}
	out.Dump = path
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if out.Result, err = Measure(f, out.Groups); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// never is a channel nothing sends on: receiving from it blocks for
// good, and unlike select{} the compiler must assume the receive
// returns, so the values used after it stay live in the frame.
var never chan struct{}

var (
	idMu sync.Mutex
	ids  []uint64 // of the goroutines start is waiting for
)

// start runs n goroutines of f and returns their IDs once each has
// reported ready with ready.
func start(n int, f func()) []uint64 {
	readyCh = make(chan uint64)
	for range n {
		go f()
	}
	got := make([]uint64, 0, n)
	for range n {
		got = append(got, <-readyCh)
	}
	return got
}

var readyCh chan uint64

// ready reports the calling goroutine's ID to start.
func ready() { readyCh <- goid() }

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b = b[:bytes.IndexByte(b, ' ')]
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

var allocLine int

// holdAlone holds a buffer only it references.
func holdAlone(size int) {
	buf, line := make([]byte, size), thisLine()
	if size == 48<<20 {
		allocLine = line
	}
	ready()
	<-never
	runtime.KeepAlive(buf)
}

// globalBuf is also referenced by a package-level variable.
var globalBuf []byte

func holdGlobal() {
	globalBuf = make([]byte, 32<<20)
	buf := globalBuf
	ready()
	<-never
	runtime.KeepAlive(buf)
}

// A node takes 1 KiB of heap: 1016 bytes and the 8-byte type header the
// runtime puts before a pointerful object bigger than 512 bytes (a
// 1024-byte struct would take the 1152-byte size class).
type node struct {
	next *node
	_    [1008]byte
}

// holdList holds a linked list of n 1 KiB nodes.
func holdList(n int) {
	var head *node
	for range n {
		head = &node{next: head}
	}
	ready()
	<-never
	runtime.KeepAlive(head)
}

// sendForever blocks sending a pointer to a 16 MiB buffer on a channel
// nobody receives from; the pointer is only in the value being sent.
func sendForever() {
	p := new([16 << 20]byte)
	ch := make(chan *[16 << 20]byte)
	ready()
	ch <- p
}

type guarded struct {
	mu  sync.Mutex
	buf []byte
}

// lockTwice deadlocks on a mutex inside a struct that holds 8 MiB: the
// runtime's semaphore table points to the struct while it waits.
func lockTwice() {
	g := &guarded{buf: make([]byte, 8<<20)}
	g.mu.Lock()
	ready()
	g.mu.Lock()
}

// shareBetweenGroups starts two goroutines, each its own group, holding
// 4 MiB each alone and 8 MiB together.
func shareBetweenGroups() [][]uint64 {
	shared := make([]byte, 8<<20)
	hold := func() {
		own := make([]byte, 4<<20)
		ready()
		<-never
		runtime.KeepAlive(own)
		runtime.KeepAlive(shared)
	}
	return [][]uint64{start(1, hold), start(1, hold)}
}
