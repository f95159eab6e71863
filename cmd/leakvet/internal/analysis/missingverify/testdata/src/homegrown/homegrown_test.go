package homegrown

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	buf := make([]byte, 1<<20)
	if strings.Count(string(buf[:runtime.Stack(buf, true)]), "goroutine ") > 1 {
		code = 1
	}
	os.Exit(code)
}

func TestAsync(t *testing.T) {
	go func() {}()
}
