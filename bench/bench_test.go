package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkQuick runs each benchmark command of this module in quick mode,
// so that "go test -bench . -benchtime=1x" (as CI does) keeps every
// scenario compiling and running. It asserts no timings; the tables are
// for people and go to the benchmark's log. For the real measurements,
// run "go run .", "go run ./cmdbench" and "go run ./memcost".
func BenchmarkQuick(b *testing.B) {
	for _, pkg := range []string{".", "./cmdbench", "./memcost"} {
		b.Run(pkg, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command("go", "run", pkg, "-quick")
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("go run %s -quick: %v\n%s", pkg, err, out)
				}
				b.Logf("%s", out)
			}
		})
	}
}
