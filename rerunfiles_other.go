//go:build !unix

package leakcheck

import (
	"errors"
	"os"
	"runtime"
)

// rerunFiles returns the files a child gets after standard error: none
// here, where a process passes only its standard files to a child, so a
// rerun cannot start.
func rerunFiles(out, turn, done, alive *os.File) []*os.File {
	return []*os.File{out, turn, done, alive} // os/exec refuses them: the rerun says it could not start
}

// inheritRerunFiles fails: see rerunFiles.
func inheritRerunFiles() (out, turn, done, alive *os.File, err error) {
	return nil, nil, nil, nil, errors.New("reruns need Unix, not " + runtime.GOOS)
}
