// Package badlib has options that cannot be translated. // want package:"goleakUser"
package badlib

import "go.uber.org/goleak"

// Opts are the options of every check.
var Opts = []goleak.Option{goleak.IgnoreAnyContainingPkg("a")} // want `goleak.IgnoreAnyContainingPkg has no leakcheck counterpart`
