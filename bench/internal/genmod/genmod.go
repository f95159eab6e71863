// Package genmod writes the go.mod and go.sum of modules the benchmarks
// generate, so that they build against a given copy of leakcheck with the
// bench module's dependencies.
package genmod

import (
	"bytes"
	"os"
	"path/filepath"
)

// Write writes into dir the bench module's go.mod, renamed module (kept
// when empty), with leakcheck replaced by the copy at lib, and its
// go.sum. It runs from the bench directory.
func Write(dir, module, lib string) error {
	lib, err := filepath.Abs(lib)
	if err != nil {
		return err
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		return err
	}
	if module != "" {
		mod = bytes.Replace(mod, []byte("module github.com/leakcheck/leakcheck/bench"), []byte("module "+module), 1)
	}
	mod = bytes.Replace(mod, []byte("=> ../"), []byte("=> "+lib), 1)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), mod, 0o666); err != nil {
		return err
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o666)
}
