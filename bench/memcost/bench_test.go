package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkQuick runs the command in quick mode, so that CI's
// "go test -bench . -benchtime=1x ./..." keeps it compiling and running.
// It asserts no timings.
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
