//go:build !unix

package measure

import (
	"errors"
	"os"
	"runtime"
)

// rerunFiles returns the files a child gets after standard error: none
// here, where a process passes only its standard files to a child, so a
// rerun cannot start.
func rerunFiles(out, measureAfter, measured, alive, printAfter, printed *os.File) []*os.File {
	// os/exec refuses them: the rerun says it could not start.
	return []*os.File{out, measureAfter, measured, alive, printAfter, printed}
}

// inheritRerunFiles fails: see rerunFiles.
func inheritRerunFiles() ([]*os.File, error) {
	return nil, errors.New("reruns need Unix, not " + runtime.GOOS)
}
