package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
)

// An input is one kind of source the command reads, made the way users
// get it, of the size that tests its memory bound: a file, or a stream
// on the command's standard input. A child process (cmdbench -input
// NAME) writes it, so that this process stays small: Linux counts a
// child's peak memory from the moment it forks.
type input struct {
	key, name string
	stream    bool
	size      int64 // bytes offered, for streams
	gen       func(w io.Writer) error
}

var inputs = []input{
	{key: "dump", name: "goroutine dump, 100k goroutines", gen: func(w io.Writer) error { return copyFile(w, *inputDump) }},
	{key: "pasted", name: "go test timeout, 100k goroutines, pasted (quoted, tabs to spaces)", gen: pastedTimeout},
	{key: "dump4m", name: "goroutine dump, 4M goroutines of 5 kinds (stream)", stream: true, size: 1 << 30, gen: func(w io.Writer) error { return dumpOf(w, 4000000, 5) }},
	{key: "kinds", name: "goroutine dump, every goroutine a kind of its own (stream)", stream: true, size: 1 << 30, gen: func(w io.Writer) error { return dumpOf(w, 3000000, 0) }},
	{key: "text", name: "debug=1 profile, 100k distinct stacks", gen: func(w io.Writer) error { return textProfileOf(w, 100000) }},
	{key: "proto", name: "pprof profile, 100k distinct stacks", gen: func(w io.Writer) error { return protoProfileOf(w, 100000) }},
	{key: "bomb", name: "gzip bomb (4 GiB of zeros)", gen: func(w io.Writer) error { return gzipOfZeros(w, 4<<30) }},
	{key: "random", name: "random binary data (stream)", stream: true, size: 1 << 30, gen: randomBytes(1<<30, 1)},
	{key: "random-tag", name: "random binary data starting like a profile (stream)", stream: true, size: 1 << 30, gen: func(w io.Writer) error {
		w.Write([]byte{0x0a})
		return randomBytes(1<<30-1, 2)(w)
	}},
	{key: "log", name: "log text with no goroutine (stream)", stream: true, size: 1 << 30, gen: logText(1 << 30)},
}

// writeInput writes the input named key to standard output (cmdbench
// -input KEY).
func writeInput(key string) {
	for _, in := range inputs {
		if in.key == key {
			bw := bufio.NewWriterSize(os.Stdout, 1<<20)
			err := in.gen(bw)
			if err == nil {
				err = bw.Flush()
			}
			if err != nil && !errors.Is(err, syscall.EPIPE) {
				check(err)
			}
			return
		}
	}
	check(fmt.Errorf("no input %q", key))
}

// inputsBench runs leakcheck inspect on each kind of input and reports
// its peak resident memory: the bound the command documents holds for
// dumps of any size, pasted or not, text and protocol buffer profiles,
// compressed data, binary data and text that holds no goroutine.
func inputsBench(work string) {
	leakcheck := filepath.Join(work, "leakcheck")
	build(leakcheck, "github.com/leakcheck/leakcheck/cmd/leakcheck")
	dump := filepath.Join(work, "dump-mixed-100000.txt")
	if _, err := os.Stat(dump); err != nil {
		cmd := exec.Command(os.Args[0], "-shape", "mixed", "-gen", "100000", "-o", dump)
		cmd.Stderr = os.Stderr
		check(cmd.Run())
	}
	fmt.Printf("## Memory per input kind: leakcheck inspect\n\n")
	fmt.Println("Peak resident memory (maxrss) of `leakcheck inspect` reading each input, from a file or streamed on its standard input by another process, and what it answered.")
	fmt.Println()
	fmt.Println("| input | size | exit status | answer | wall time | peak memory |")
	fmt.Println("|---|---:|---:|---|---:|---:|")
	for _, in := range inputs {
		gen := exec.Command(os.Args[0], "-input", in.key, "-input-dump", dump)
		gen.Stderr = os.Stderr
		src, size := "-", in.size
		if !in.stream {
			src = filepath.Join(work, "input-"+in.key)
			f, err := os.Create(src)
			check(err)
			gen.Stdout = f
			check(gen.Run())
			check(f.Close())
			info, err := os.Stat(src)
			check(err)
			size = info.Size()
		}
		cmd := exec.Command(leakcheck, "inspect", src)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if in.stream {
			pr, pw, err := os.Pipe()
			check(err)
			gen.Stdout = pw
			cmd.Stdin = pr
			check(gen.Start())
			pw.Close()
			defer pr.Close()
		}
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if _, isExit := err.(*exec.ExitError); !isExit && err != nil {
			check(err)
		}
		if in.stream {
			gen.Process.Kill() // leakcheck may have stopped reading
			gen.Wait()
		}
		answer := strings.TrimSpace(errOut.String())
		if answer == "" {
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			answer = lines[len(lines)-1]
		}
		if len(answer) > 150 {
			answer = answer[:150] + "…"
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // kilobytes on Linux
		fmt.Printf("| %s | %s | %d | %s | %s | %s |\n", in.name, mib(size), cmd.ProcessState.ExitCode(), strings.ReplaceAll(answer, "|", "\\|"), dur(wall), mib(rss))
	}
	fmt.Println()
}

// pastedTimeout writes the dump as the output of a go test timeout pasted
// into an issue: quoted, tabs turned into spaces.
func pastedTimeout(w io.Writer) error {
	raw, err := os.ReadFile(*inputDump)
	if err != nil {
		return err
	}
	pasted := "> panic: test timed out after 10m0s\n>     running tests:\n>         TestCrowd (10m0s)\n>\n> " +
		strings.ReplaceAll(strings.ReplaceAll(string(raw), "\t", "    "), "\n", "\n> ")
	_, err = io.WriteString(w, pasted)
	return err
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// dumpOf writes a goroutine dump of n goroutines in the runtime's format:
// of the given number of kinds, or, for kinds 0, each a kind of its own.
func dumpOf(w io.Writer, n, kinds int) error {
	for i := range n {
		k := i
		if kinds > 0 {
			k = i % kinds
		}
		_, err := fmt.Fprintf(w, "goroutine %d [chan receive, 12 minutes]:\nexample.com/svc.handler%d(0xc000123456, {0x7d2a08, 0xc0000a4000})\n\t/src/svc/handler.go:%d +0x1d\nexample.com/svc.serve(...)\n\t/src/svc/serve.go:40\nnet/http.HandlerFunc.ServeHTTP(0xc000010000?, {0x7d2a08?, 0xc0000a4000?}, 0xc000132000?)\n\t/usr/local/go/src/net/http/server.go:2322 +0x29\ncreated by example.com/svc.start in goroutine 1\n\t/src/svc/start.go:12 +0x45\n\n", i+1, k, 10+k%1000)
		if err != nil {
			return err
		}
	}
	return nil
}

// textProfileOf writes a debug=1 goroutine profile of n distinct stacks.
func textProfileOf(w io.Writer, n int) error {
	fmt.Fprintf(w, "goroutine profile: total %d\n", n*3)
	for i := range n {
		_, err := fmt.Fprintf(w, "3 @ 0x48c1ea 0x419bce 0x%x 0x493121\n#\t0x%x\texample.com/svc.handler%d+0x46\t/src/svc/handler.go:%d\n#\t0x6842e6\texample.com/svc.serve+0x1d\t/src/svc/serve.go:40\n\n", 0x600000+i, 0x600000+i, i, 10+i%1000)
		if err != nil {
			return err
		}
	}
	return nil
}

// protoProfileOf writes a gzipped goroutine profile of n distinct stacks.
func protoProfileOf(w io.Writer, n int) error {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:     1,
	}
	serve := &profile.Function{ID: 1, Name: "example.com/svc.serve", Filename: "/src/svc/serve.go"}
	p.Function = append(p.Function, serve)
	serveLoc := &profile.Location{ID: 1, Address: 0x500000, Line: []profile.Line{{Function: serve, Line: 40}}}
	p.Location = append(p.Location, serveLoc)
	for i := range n {
		fn := &profile.Function{ID: uint64(i + 2), Name: fmt.Sprintf("example.com/svc.handler%d", i), Filename: "/src/svc/handler.go"}
		loc := &profile.Location{ID: uint64(i + 2), Address: uint64(0x600000 + i), Line: []profile.Line{{Function: fn, Line: int64(10 + i%1000)}}}
		p.Function = append(p.Function, fn)
		p.Location = append(p.Location, loc)
		p.Sample = append(p.Sample, &profile.Sample{Value: []int64{3}, Location: []*profile.Location{loc, serveLoc}})
	}
	return p.Write(w)
}

// gzipOfZeros writes n zero bytes, gzipped: a few MiB.
func gzipOfZeros(w io.Writer, n int64) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	zeros := make([]byte, 1<<20)
	for ; n > 0; n -= int64(len(zeros)) {
		if _, err := zw.Write(zeros); err != nil {
			return err
		}
	}
	return zw.Close()
}

// randomBytes returns a generator of n random bytes.
func randomBytes(n int64, seed uint64) func(io.Writer) error {
	return func(w io.Writer) error {
		rng := rand.NewChaCha8([32]byte{byte(seed)})
		buf := make([]byte, 1<<20)
		for ; n > 0; n -= int64(len(buf)) {
			rng.Read(buf)
			if _, err := w.Write(buf[:min(int64(len(buf)), n)]); err != nil {
				return err
			}
		}
		return nil
	}
}

// logText returns a generator of n bytes of log lines.
func logText(n int64) func(io.Writer) error {
	return func(w io.Writer) error {
		line := []byte("2026-12-03T06:40:00Z INFO request served path=/api/v1/items status=200 duration=1.2ms\n")
		for ; n > 0; n -= int64(len(line)) {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	}
}
