package runtimeread

import (
	"runtime/debug"
	"strings"
)

// PackagePath is the import path of the package under test, from the
// test binary's build information ("example.com/pkg.test"), or "".
var PackagePath = func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return strings.TrimSuffix(bi.Path, ".test")
}()
