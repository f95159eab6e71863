package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkQuick runs the driver in quick mode, so that
// "go test -bench . -benchtime=1x" (as CI does) keeps every scenario
// compiling and running. It asserts no timings; the tables are for people
// and go to the benchmark's log. For the real measurement, run "go run ."
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
