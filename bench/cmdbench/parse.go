package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// A tool is a command that reads a dump file.
type tool struct {
	key  string // for -tools
	name string
	args []string // the file is appended
	slow bool     // panicparse: one run from 100k goroutines, one variant at 1M
}

// parseBench builds leakcheck and pp, generates the dumps and times each
// tool on each.
func parseBench(work string) {
	leakcheck := filepath.Join(work, "leakcheck")
	pp := filepath.Join(work, "pp")
	build(leakcheck, "github.com/leakcheck/leakcheck/cmd/leakcheck")
	build(pp, "github.com/maruel/panicparse/v2/cmd/pp")
	tools := []tool{
		{"leakcheck", "leakcheck inspect", []string{leakcheck, "inspect"}, false},
		{"pp", "pp (defaults)", []string{pp}, true},
		{"pp-fast", "pp -parse=false -rebase=false", []string{pp, "-parse=false", "-rebase=false"}, true},
	}

	fmt.Printf("## Reading a goroutine dump: leakcheck inspect against panicparse v2.5.0 (pp), %s goroutines\n\n", *shape)
	fmt.Println("Each tool reads the same dump file, output to /dev/null. Medians of the runs: wall time, CPU time (user + system, the steadier figure on a shared machine), and the largest peak resident memory (maxrss). panicparse runs once from 100k goroutines (minutes per run), and only its fastest settings at 1M; \"> \" marks a run stopped at -tool-timeout.")
	fmt.Println()
	fmt.Println("| goroutines | dump size | tool | wall time | CPU time | peak memory | CPU ÷ leakcheck's | wall ÷ leakcheck's | runs |")
	fmt.Println("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, n := range counts(1 << 30) {
		file := filepath.Join(work, fmt.Sprintf("dump-%s-%d.txt", *shape, n))
		if _, err := os.Stat(file); err != nil {
			cmd := exec.Command(os.Args[0], "-shape", *shape, "-gen", fmt.Sprint(n), "-o", file)
			cmd.Stderr = os.Stderr
			check(cmd.Run())
		}
		info, err := os.Stat(file)
		check(err)
		var baseWall, baseCPU time.Duration
		for i, t := range tools {
			if !slices.Contains(strings.Split(*toolsArg, ","), t.key) {
				continue
			}
			r := repsFor(n)
			if t.slow && n >= 100000 {
				r = 1 // minutes per run
			}
			if t.slow && n >= 1000000 && i != len(tools)-1 {
				continue // the fastest variant only
			}
			var walls, cpus []time.Duration
			var peak int64
			stopped := false
			for range r {
				wall, cpu, rss, ok := runTool(t, file)
				walls = append(walls, wall)
				cpus = append(cpus, cpu)
				peak = max(peak, rss)
				stopped = stopped || !ok
			}
			slices.Sort(walls)
			slices.Sort(cpus)
			wall, cpu := walls[len(walls)/2], cpus[len(cpus)/2]
			if baseWall == 0 {
				baseWall, baseCPU = wall, cpu
			}
			more := ""
			if stopped {
				more = "> " // stopped at -tool-timeout
			}
			fmt.Printf("| %s | %s | %s | %s%s | %s%s | %s | %s%.0f× | %s%.0f× | %d |\n", count(n), mib(info.Size()), t.name,
				more, dur(wall), more, dur(cpu), mib(peak), more, float64(cpu)/float64(baseCPU), more, float64(wall)/float64(baseWall), r)
		}
	}
	fmt.Println()
}

// runTool runs a tool on file and returns its wall time, CPU time and
// peak RSS; ok is false when it was stopped at -tool-timeout.
func runTool(t tool, file string) (wall, cpu time.Duration, rss int64, ok bool) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check(err)
	defer devnull.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.args[0], append(t.args[1:], file)...)
	cmd.Stdout = devnull
	cmd.Stderr = devnull
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	ok = ctx.Err() == nil
	if _, isExit := err.(*exec.ExitError); !isExit && err != nil {
		check(fmt.Errorf("%s: %v", t.name, err))
	}
	if ok && cmd.ProcessState.ExitCode() > 1 {
		check(fmt.Errorf("%s %s: exit status %d", t.name, file, cmd.ProcessState.ExitCode()))
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), ru.Maxrss * 1024, ok // kilobytes on Linux
}

// build builds a main package of this module's dependencies.
func build(out, pkg string) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func count(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func mib(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}
