package report

import (
	"path/filepath"
	"runtime"
	"strings"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// goroot is where the running toolchain keeps the standard library's
// sources.
var goroot = filepath.ToSlash(runtime.GOROOT()) + "/src/"

// stdRoots are the first elements of the standard library's package
// paths, in go1.22 to go1.27 (go list std), plus "cmd" for the go tool's
// own frames.
var stdRoots = map[string]bool{
	"archive": true, "bufio": true, "bytes": true, "cmd": true, "cmp": true,
	"compress": true, "container": true, "context": true, "crypto": true,
	"database": true, "debug": true, "embed": true, "encoding": true,
	"errors": true, "expvar": true, "flag": true, "fmt": true, "go": true,
	"hash": true, "html": true, "image": true, "index": true,
	"internal": true, "io": true, "iter": true, "log": true, "maps": true,
	"math": true, "mime": true, "net": true, "os": true, "path": true,
	"plugin": true, "reflect": true, "regexp": true, "runtime": true,
	"slices": true, "sort": true, "strconv": true, "strings": true,
	"structs": true, "sync": true, "syscall": true, "testing": true,
	"text": true, "time": true, "unicode": true, "unique": true,
	"unsafe": true, "uuid": true, "vendor": true, "weak": true,
}

// IsStandardLibrary reports whether f is a frame of the standard library,
// of this program or of another one, built by any toolchain anywhere.
//
// A frame whose file is under the running toolchain's GOROOT is. Any
// other frame is only if its package path is a standard library path,
// whose first element is one of the standard library's top directories
// (net, internal, ...; a module path without a dot, such as
// "distributed-kv/consensus", is the program's own), and its file, when
// the frame has one, lies where a GOROOT keeps the standard library:
// ".../src/net/http/server.go", "$GOROOT/src/net/http/server.go", or
// "net/http/server.go" when built with -trimpath, not in the program's
// own tree or a module cache.
func IsStandardLibrary(f stack.Frame) bool {
	file := strings.ReplaceAll(f.File, `\`, "/") // a dump from Windows
	if file != "" && strings.HasPrefix(file, goroot) {
		return true
	}
	pkg := packagePath(f.Function)
	if f.Function == "panic" {
		pkg = "runtime" // the runtime prints its gopanic so
	}
	first, _, _ := strings.Cut(pkg, "/")
	if !stdRoots[first] {
		return false
	}
	if file == "" || file == "?" {
		return true // a profile without files: the path alone tells
	}
	// Where a GOROOT keeps the standard library: under its src, or
	// relative with -trimpath. (Not necessarily in pkg's own directory:
	// sync's linknamed runtime_Semacquire is in runtime/sema.go.)
	rel := file
	if i := strings.LastIndex(file, "/src/"); i >= 0 {
		rel = file[i+len("/src/"):]
	} else if strings.HasPrefix(file, "/") || strings.Contains(file, ":") {
		return false // an absolute path, outside any GOROOT's src
	}
	rel = strings.TrimPrefix(rel, "pkg/") // Go 1.3 and before: $GOROOT/src/pkg/net/http
	dir, _, _ := strings.Cut(rel, "/")
	return stdRoots[dir]
}

// packagePath returns the package path of a fully qualified function
// name: "net/http" for "net/http.(*conn).serve", "main" for
// "main.main.func1", "example.com/x.y/z" for "example.com/x.y/z.F".
func packagePath(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}
