package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// A tool is a command that reads a dump file.
type tool struct {
	name string
	args []string // the file is appended
}

// parseBench builds leakcheck and pp, generates the dumps and times each
// tool on each.
func parseBench(work string) {
	leakcheck := filepath.Join(work, "leakcheck")
	pp := filepath.Join(work, "pp")
	build(leakcheck, "github.com/leakcheck/leakcheck/cmd/leakcheck")
	build(pp, "github.com/maruel/panicparse/v2/cmd/pp")
	tools := []tool{
		{"leakcheck inspect", []string{leakcheck, "inspect"}},
		{"pp (defaults)", []string{pp}},
		{"pp -parse=false -rebase=false", []string{pp, "-parse=false", "-rebase=false"}},
	}

	fmt.Printf("## Reading a goroutine dump: leakcheck inspect against panicparse v2.5.0 (pp), %s goroutines\n\n", *shape)
	fmt.Println("Each tool reads the same dump file, output to /dev/null. Medians of the runs: wall time, CPU time (user + system, the steadier figure on a shared machine), and the largest peak resident memory (maxrss).")
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
		for _, t := range tools {
			r := repsFor(n)
			var walls, cpus []time.Duration
			var peak int64
			for range r {
				wall, cpu, rss := runTool(t, file)
				walls = append(walls, wall)
				cpus = append(cpus, cpu)
				peak = max(peak, rss)
			}
			slices.Sort(walls)
			slices.Sort(cpus)
			wall, cpu := walls[len(walls)/2], cpus[len(cpus)/2]
			if baseWall == 0 {
				baseWall, baseCPU = wall, cpu
			}
			fmt.Printf("| %s | %s | %s | %s | %s | %s | %.0f× | %.0f× | %d |\n", count(n), mib(info.Size()), t.name,
				dur(wall), dur(cpu), mib(peak), float64(cpu)/float64(baseCPU), float64(wall)/float64(baseWall), r)
		}
	}
	fmt.Println()
}

// runTool runs a tool on file and returns its wall time, CPU time and
// peak RSS.
func runTool(t tool, file string) (wall, cpu time.Duration, rss int64) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check(err)
	defer devnull.Close()
	cmd := exec.Command(t.args[0], append(t.args[1:], file)...)
	cmd.Stdout = devnull
	cmd.Stderr = devnull
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if _, ok := err.(*exec.ExitError); !ok && err != nil {
		check(fmt.Errorf("%s: %v", t.name, err))
	}
	if cmd.ProcessState.ExitCode() > 1 {
		check(fmt.Errorf("%s %s: exit status %d", t.name, file, cmd.ProcessState.ExitCode()))
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), ru.Maxrss * 1024 // kilobytes on Linux
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
