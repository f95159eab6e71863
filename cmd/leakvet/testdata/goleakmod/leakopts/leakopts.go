// Package leakopts has the goleak options that every test of the module
// uses.
package leakopts

import "go.uber.org/goleak"

// Options returns the options of every check, and extra.
func Options(extra ...goleak.Option) []goleak.Option {
	return append([]goleak.Option{goleak.IgnoreTopFunction("example.com/goleakmod/clean.daemon")}, extra...)
}
