package exportedapi // want package:"goleakUser"

// Package exportedapi has goleak types in its exported API: other
// modules compile against it, so it is left as it is unless asked.

import "go.uber.org/goleak"

// A Checker checks for leaks.
type Checker interface {
	Check(opts []goleak.Option) error // want `Checker.Check has goleak types in the exported API of package exportedapi`
}

// Config configures a server's tests.
type Config struct {
	LeakOptions []goleak.Option // want `Config.LeakOptions has goleak types in the exported API`
	internal    []goleak.Option
}

// Options returns the options of the module's checks.
func Options() []goleak.Option { // want `Options has goleak types in the exported API`
	return append([]goleak.Option{goleak.IgnoreCurrent()}, Config{}.internal...)
}
