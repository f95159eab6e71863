package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A kernel is one GoKer blocking bug: its file, its kind as GoBench
// labels it, and the lines of the bug.
type kernel struct {
	name  string // project/id
	file  string // absolute path of the kernel's test file
	kind  string // GoBench's label: Double locking, AB-BA deadlock, Channel, ...
	lines map[int]bool
}

// developedOn are the projects whose kernels the analyzers were
// developed on; the others are kept for measuring how they generalise.
var developedOn = map[string]bool{"cockroach": true, "etcd": true, "grpc": true}

// handMarked are the blocking lines of the kernels whose comments and
// README mark none, or a stale one (grpc/795's README says line 20, the
// closing brace; the second Lock is line 16), or only the fix (grpc/1460
// and kubernetes/5316 mark the lines the fix changes, not where the
// goroutines block): read from each kernel's goroutine timeline (the
// /// G1 G2 comments) at GoBench commit 0bb5ed9.
var handMarked = map[string][]int{
	"grpc/1460":        {33, 41},
	"kubernetes/5316":  {27, 29},
	"etcd/6857":        {24},
	"etcd/6873":        {38, 46},
	"grpc/660":         {26, 29},
	"grpc/795":         {16},
	"kubernetes/10182": {38, 45},
	"kubernetes/13135": {72, 100},
	"kubernetes/58107": {47, 62, 83},
	"kubernetes/62464": {42, 57},
	"kubernetes/6632":  {36, 51},
	"moby/27782":       {37, 101},
	"moby/28462":       {77, 93},
	"moby/33781":       {33},
	"moby/4395":        {22},
	"moby/4951":        {33, 55},
}

// loadKernels reads the blocking kernels under dir of the chosen set.
func loadKernels(dir, set string) ([]*kernel, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*", "*_test.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no GoKer kernels in %s (is it a GoBench checkout?)", dir)
	}
	var ks []*kernel
	for _, f := range files {
		kdir := filepath.Dir(f)
		project := filepath.Base(filepath.Dir(kdir))
		switch {
		case set == "dev" && !developedOn[project], set == "held" && developedOn[project]:
			continue
		case set != "dev" && set != "held" && set != "all":
			return nil, fmt.Errorf("unknown -set %q: dev, held or all", set)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		k := &kernel{name: project + "/" + filepath.Base(kdir), file: abs, lines: map[int]bool{}}
		if err := k.readSource(); err != nil {
			return nil, err
		}
		if err := k.readREADME(filepath.Join(kdir, "README.md")); err != nil {
			return nil, err
		}
		for _, n := range handMarked[k.name] {
			k.lines[n] = true
		}
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].name < ks[j].name })
	return ks, nil
}

var (
	// A comment after code that marks a blocking or bug line.
	markAfterCode = regexp.MustCompile(`(?i)\S.*//+.*(block|lock[ab]\b|lock[ab] acquire|acquire|missing|fix|double lock|first lock|second lock|waiting for)`)
	// A comment alone on its line that says what the fix adds there.
	markAlone = regexp.MustCompile(`(?i)^\s*//+\s*(missing|fix|\+)`)
	// "line 19, 31", "Line 54, 49" in a README.
	readmeLines = regexp.MustCompile(`(?i)\blines? ((?:\d+)(?:\s*(?:,|and)\s*\d+)*)`)
	number      = regexp.MustCompile(`\d+`)
)

// readSource marks the lines the kernel's comments point at. A comment
// alone on a line (/// Missing unlock) marks the code lines around it,
// where the fix goes.
func (k *kernel) readSource() error {
	data, err := os.ReadFile(k.file)
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	inHeader := true
	for i, line := range lines {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if inHeader {
			if strings.HasPrefix(trimmed, "package ") {
				inHeader = false
			}
			continue
		}
		if strings.HasPrefix(trimmed, "//") {
			if markAlone.MatchString(line) {
				if prev := codeLine(lines, i, -1); prev > 0 {
					k.lines[prev] = true
				}
				if next := codeLine(lines, i, +1); next > 0 {
					k.lines[next] = true
				}
			}
			continue
		}
		if markAfterCode.MatchString(line) {
			k.lines[n] = true
		}
	}
	return nil
}

// codeLine returns the number of the nearest line before (dir -1) or
// after (dir +1) index i that holds code, or 0.
func codeLine(lines []string, i, dir int) int {
	for j := i + dir; j >= 0 && j < len(lines); j += dir {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		if t == "}" || t == "{" {
			return 0
		}
		return j + 1
	}
	return 0
}

// readREADME takes the kind from the README's table, the lines its text
// names, and the blocking operations of the top function in the kernel's
// file of each goroutine of its backtrace.
func (k *kernel) readREADME(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	base := filepath.Base(k.file)
	state, topSeen, prev := "", false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "|[") && k.kind == "" {
			cells := strings.Split(line, "|")
			if len(cells) > 6 {
				k.kind = normaliseKind(strings.TrimSpace(cells[6]))
			}
		}
		if strings.HasPrefix(line, "goroutine ") {
			state, topSeen = "", false
			if i, j := strings.Index(line, "["), strings.Index(line, "]"); i >= 0 && j > i {
				state = strings.TrimSpace(strings.Split(line[i+1:j], ",")[0])
			}
		}
		if strings.Contains(line, base+":") && !topSeen && state != "" {
			topSeen = true
			if fr, ok := parseFrame(state, prev); ok {
				for _, n := range blockingLines(k.file, fr) {
					k.lines[n] = true
				}
			}
		}
		prev = line
		if !strings.Contains(line, ".go:") {
			for _, m := range readmeLines.FindAllStringSubmatch(line, -1) {
				for _, s := range number.FindAllString(m[1], -1) {
					n, _ := strconv.Atoi(s)
					k.lines[n] = true
				}
			}
		}
	}
	if k.kind == "" {
		k.kind = "unlabelled"
	}
	return sc.Err()
}

// normaliseKind spells GoBench's labels one way ("Double locking" and
// "Double Locking" are one kind).
func normaliseKind(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	switch strings.ToLower(s) {
	case "ab-ba deadlock":
		return "AB-BA deadlock"
	case "double locking":
		return "Double locking"
	case "rwr deadlock":
		return "RWR deadlock"
	}
	return s
}
