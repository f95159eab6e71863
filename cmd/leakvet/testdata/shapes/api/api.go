// Package api exports goleak options: other modules compile against
// them.
package api

import "go.uber.org/goleak"

// Config is what a test harness of this module takes.
type Config struct {
	LeakOptions []goleak.Option
}

// Defaults returns the options every check of the module uses.
func Defaults() Config {
	return Config{LeakOptions: []goleak.Option{goleak.IgnoreTopFunction("example.com/shapes/api.daemon")}}
}
