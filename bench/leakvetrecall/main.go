// Leakvetrecall measures how many of GoKer's blocking bugs leakvet finds
// at the bug's own lines, and lists what it reports on GoKer's
// non-blocking kernels (where every finding must be read).
//
// GoKer is the kernel half of GoBench (Yuan et al., CGO 2021): each
// kernel a real blocking bug cut down from a large project, with its fix
// in a comment. Check it out and point the program at it:
//
//	go build -o /tmp/leakvet ./cmd/leakvet   # in cmd/leakvet
//	go run ./leakvetrecall -leakvet /tmp/leakvet -set all /path/to/gobench
//
// -set dev measures the kernels the analyzers were developed on
// (cockroach, etcd, grpc), -set held the others, -set all both. A finding
// counts when it is in the kernel's file at one of the bug's lines: a
// line the kernel's comments mark (// block here, // LockA acquire,
// /// Missing unlock, FIX: ...), a line its README names ("line 65"), or
// the blocking operations of the function a goroutine of the README's
// backtrace blocks in, or, for the few kernels that mark none, the lines
// read by hand from their goroutine timelines (handMarked).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	leakvet := flag.String("leakvet", "leakvet", "the leakvet binary")
	set := flag.String("set", "all", "which blocking kernels: dev (cockroach, etcd, grpc), held (the others), all")
	verbose := flag.Bool("v", false, "list each kernel, its bug lines and leakvet's findings")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: leakvetrecall [-leakvet BIN] [-set dev|held|all] [-v] GOBENCH_CHECKOUT\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	root := flag.Arg(0)
	kernels, err := loadKernels(filepath.Join(root, "gobench", "goker", "blocking"), *set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakvetrecall:", err)
		os.Exit(1)
	}
	findings, err := runLeakvet(*leakvet, root, "./gobench/goker/blocking/...")
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakvetrecall:", err)
		os.Exit(1)
	}
	score(kernels, findings, *verbose)

	nonblocking, err := runLeakvet(*leakvet, root, "./gobench/goker/nonblocking/...")
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakvetrecall:", err)
		os.Exit(1)
	}
	fmt.Printf("\nfindings on the non-blocking kernels (read each one):\n")
	for _, f := range nonblocking {
		fmt.Printf("  %s:%d: %s: %s\n", rel(root, f.file), f.line, f.analyzer, f.message)
	}
	if len(nonblocking) == 0 {
		fmt.Println("  none")
	}
}

func rel(root, file string) string {
	if r, err := filepath.Rel(root, file); err == nil {
		return r
	}
	return file
}

// score prints the kernels found at their bug lines, by kind.
func score(kernels []*kernel, findings []finding, verbose bool) {
	byFile := map[string][]finding{}
	for _, f := range findings {
		byFile[f.file] = append(byFile[f.file], f)
	}
	type tally struct{ n, found int }
	kinds := map[string]*tally{}
	var total tally
	for _, k := range kernels {
		t := kinds[k.kind]
		if t == nil {
			t = &tally{}
			kinds[k.kind] = t
		}
		t.n++
		total.n++
		hit := false
		var at []string
		for _, f := range byFile[k.file] {
			mark := " "
			if k.lines[f.line] {
				hit = true
				mark = "*"
			}
			at = append(at, fmt.Sprintf("%s%d %s", mark, f.line, f.analyzer))
		}
		if hit {
			t.found++
			total.found++
		}
		if verbose {
			fmt.Printf("%-18s %-22s found=%-5v bug lines %v; findings %v\n", k.name, k.kind, hit, sortedLines(k.lines), at)
		}
	}
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if kinds[names[i]].n != kinds[names[j]].n {
			return kinds[names[i]].n > kinds[names[j]].n
		}
		return names[i] < names[j]
	})
	fmt.Printf("| kind | kernels | found at the bug's line |\n|---|---|---|\n")
	for _, name := range names {
		fmt.Printf("| %s | %d | %d |\n", name, kinds[name].n, kinds[name].found)
	}
	fmt.Printf("| **all** | **%d** | **%d** (%.0f%%) |\n", total.n, total.found, 100*float64(total.found)/float64(max(total.n, 1)))
}

func sortedLines(lines map[int]bool) []int {
	var ls []int
	for l := range lines {
		ls = append(ls, l)
	}
	sort.Ints(ls)
	return ls
}

// A finding is one diagnostic of leakvet.
type finding struct {
	file     string
	line     int
	analyzer string
	message  string
}

// runLeakvet runs leakvet -json on pattern in dir and returns its
// findings. Leakvet's exit status is not an error: 3 means findings.
func runLeakvet(bin, dir, pattern string) ([]finding, error) {
	// missingverify is a suggestion about tests, not a bug finding.
	cmd := exec.Command(bin, "-json", "-missingverify=false", pattern)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return nil, err
		}
	}
	// One JSON object: package → analyzer → diagnostics (or an error).
	var out map[string]map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("reading leakvet -json output: %v\n%s", err, stderr.Bytes())
	}
	seen := map[string]bool{}
	var fs []finding
	for pkg, analyzers := range out {
		for name, raw := range analyzers {
			var diags []struct {
				Posn    string `json:"posn"`
				Message string `json:"message"`
			}
			if json.Unmarshal(raw, &diags) != nil {
				// {"error": ...}: a package leakvet could not analyse
				// counts nothing; say so, or the figure looks lower
				// for no visible reason.
				var failed struct {
					Error string `json:"error"`
				}
				if json.Unmarshal(raw, &failed) == nil && failed.Error != "" {
					fmt.Fprintf(os.Stderr, "leakvetrecall: %s: %s: %s\n", pkg, name, failed.Error)
				}
				continue
			}
			for _, d := range diags {
				file, line, ok := splitPosn(d.Posn)
				key := fmt.Sprintf("%s:%d:%s", file, line, name)
				if !ok || seen[key] {
					continue
				}
				seen[key] = true
				fs = append(fs, finding{file: file, line: line, analyzer: name, message: d.Message})
			}
		}
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].file != fs[j].file {
			return fs[i].file < fs[j].file
		}
		return fs[i].line < fs[j].line
	})
	return fs, nil
}

// splitPosn splits "file:line:col".
func splitPosn(posn string) (string, int, bool) {
	parts := strings.Split(posn, ":")
	if len(parts) < 3 {
		return "", 0, false
	}
	var line int
	if _, err := fmt.Sscanf(parts[len(parts)-2], "%d", &line); err != nil {
		return "", 0, false
	}
	return strings.Join(parts[:len(parts)-2], ":"), line, true
}
