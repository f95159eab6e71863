//go:build unix

package leakcheck

import (
	"errors"
	"os"
	"syscall"
)

// rerunFiles returns the files a child gets after standard error, in
// order: the parent's standard output, on which it publishes; the pipe
// on which it waits for its turn; the pipe the next child waits on; the
// pipe that closes when the parent exits.
func rerunFiles(out, turn, done, alive *os.File) []*os.File {
	return []*os.File{out, turn, done, alive}
}

// inheritRerunFiles returns, in a child, the files of rerunFiles, made
// close-on-exec so that processes the tests start do not hold them.
func inheritRerunFiles() (out, turn, done, alive *os.File, err error) {
	files := make([]*os.File, 4)
	for i := range files {
		fd := 3 + i
		if err := syscall.Fstat(fd, new(syscall.Stat_t)); err != nil {
			return nil, nil, nil, nil, errors.New("started without the files of a rerun (leakcheck passes them itself)")
		}
		syscall.CloseOnExec(fd)
		files[i] = os.NewFile(uintptr(fd), "leakcheck-rerun")
	}
	return files[0], files[1], files[2], files[3], nil
}
