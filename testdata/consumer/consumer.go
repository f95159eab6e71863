// Package consumer is a library at go 1.22 that already depends on older
// versions of what leakcheck depends on: the end-to-end test of
// leakcheck's module graph adds leakcheck to it and checks that go mod
// tidy changes neither its go line nor any of those versions.
package consumer

import "github.com/google/pprof/profile"

// Samples returns how many samples p has.
func Samples(p *profile.Profile) int { return len(p.Sample) }
