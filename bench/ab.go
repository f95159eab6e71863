package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/bench/internal/genmod"
)

var (
	against  = flag.String("against", "", "compare scenario 1 of this checkout's leakcheck with leakcheck at git revision `rev` (such as main), alternating runs of two builds")
	abRounds = flag.Int("rounds", 5, "with -against: runs of each build")
)

// runAgainst measures scenario 1 (a passing check per test) with this
// checkout's leakcheck and with leakcheck at git revision rev, in one
// run: it builds the bench twice, once against each, and runs the two
// builds in turn, rounds times each, alternating which goes first. Each
// run also measures goleak, which is the same in both builds, so that
// leakcheck ÷ goleak cancels most of the machine's drift between runs.
func runAgainst(rev string, rounds int) {
	dir, err := os.MkdirTemp("", "leakcheck-against-")
	check(err)
	defer os.RemoveAll(dir)
	lib := filepath.Join(dir, "lib")
	check(exportRevision(rev, lib))
	check(genmod.Write(dir, "", lib))
	builds := []struct{ label, bin, modfile string }{
		{"this checkout", filepath.Join(dir, "new"), ""},
		{rev, filepath.Join(dir, "old"), filepath.Join(dir, "go.mod")},
	}
	for _, b := range builds {
		args := []string{"build", "-o", b.bin}
		if b.modfile != "" {
			args = append(args, "-modfile="+b.modfile)
		}
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Stderr = os.Stderr
		check(cmd.Run())
	}

	runs := make([][]*results, len(builds))
	for i := range rounds {
		for j := range builds {
			k := (i + j) % len(builds) // alternate which build goes first
			args := []string{"-child", "-only", "1"}
			if *sizes != "" {
				args = append(args, "-n", *sizes)
			}
			if *quick {
				args = append(args, "-quick")
			}
			cmd := exec.Command(builds[k].bin, args...)
			cmd.Stderr = os.Stderr
			data, err := cmd.Output()
			check(err)
			var r results
			check(json.Unmarshal(data, &r))
			runs[k] = append(runs[k], &r)
		}
	}

	fmt.Fprintf(out, "# Scenario 1 against %s\n\n%s, passing checks per test, %d runs of each build, alternating.\n", rev, toolchainLabel(), rounds)
	fmt.Fprintln(out, "Medians over the runs; leakcheck ÷ goleak is computed in each run first, which cancels most of the machine's drift.")
	fmt.Fprintln(out)
	row("goroutines", "the test", "leakcheck, this checkout", "leakcheck, "+rev, "this ÷ "+rev,
		"leakcheck ÷ goleak, this checkout", "leakcheck ÷ goleak, "+rev)
	row("---:", "---", "---:", "---:", "---:", "---:", "---:")
	for c := range runs[0][0].Check {
		var lc [2][]time.Duration
		var rel [2][]float64
		for k := range builds {
			for _, r := range runs[k] {
				cr := r.Check[c]
				lc[k] = append(lc[k], cr.Leakcheck)
				rel[k] = append(rel[k], float64(cr.Leakcheck)/float64(max(cr.Goleak, 1)))
			}
		}
		first := runs[0][0].Check[c]
		dur64 := func(d time.Duration) float64 { return float64(d) }
		id := func(f float64) float64 { return f }
		a, b := median(lc[0], dur64), median(lc[1], dur64)
		row(count(first.N), first.Body, dur(a), dur(b), ratio(a, b),
			fmt.Sprintf("%.3g", medianOf(rel[0], id)), fmt.Sprintf("%.3g", medianOf(rel[1], id)))
	}
}

// exportRevision writes the files of the module root at git revision rev
// (the parent directory's repository) into dir.
func exportRevision(rev, dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", rev)
	cmd.Dir = ".."
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git archive %s: %w", rev, err)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("git archive %s: %q is outside the tree", rev, h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(name, 0o777); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
				return err
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(name, data, 0o666); err != nil {
				return err
			}
		}
	}
}
