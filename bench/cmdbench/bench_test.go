package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkQuick runs cmdbench in quick mode, so that
// "go test -bench . -benchtime=1x ./..." (as CI does) keeps it compiling
// and running. It asserts no timings; the tables go to the log. For the
// real measurement, run "go run ./cmdbench" from the bench directory.
func BenchmarkQuick(b *testing.B) {
	for b.Loop() {
		cmd := exec.Command("go", "run", ".", "-quick")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("go run . -quick: %v\n%s", err, out)
		}
		b.Logf("%s", out)
	}
}
