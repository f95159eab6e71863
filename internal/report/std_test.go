package report

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakcheck/leakcheck/internal/stack"
)

func TestIsStandardLibrary(t *testing.T) {
	const toolchain = "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.4.linux-amd64/src/"
	for _, tc := range []struct {
		fn, file string
		want     bool
	}{
		{"runtime.gopark", runtime.GOROOT() + "/src/runtime/proc.go", true},
		{"runtime.gopark", toolchain + "runtime/proc.go", true},
		{"internal/sync.runtime_SemacquireMutex", "/opt/go1.24/src/runtime/sema.go", true}, // linknamed
		{"net/http.(*conn).serve", "/usr/lib/go-1.19/src/net/http/server.go", true},
		{"panic", "/usr/local/go/src/runtime/panic.go", true}, // runtime.gopanic, as the runtime prints it
		{"panic", "/home/me/app/panic.go", false},
		{"net/http.(*conn).serve", "C:/Program Files/Go/src/net/http/server.go", true},
		{"net/http.(*conn).serve", `C:\Program Files\Go\src\net\http\server.go`, true},
		{"net/http.(*conn).serve", "$GOROOT/src/net/http/server.go", true},
		{"net/http.(*conn).serve", "net/http/server.go", true}, // -trimpath
		{"vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", "/usr/local/go/src/vendor/golang.org/x/net/http2/hpack/hpack.go", true},
		{"sync.(*WaitGroup).Wait", "", true}, // a profile without files
		{"testing.tRunner", "/opt/go/src/testing/testing.go", true},
		{"runtime.panic", "/usr/local/go/src/pkg/runtime/panic.c", true}, // go1.3
		{"net/http.(*conn).serve", "/usr/local/go/src/pkg/net/http/server.go", true},

		// Modules without a dot in their path are the program's own.
		{"distributed-kv/consensus.(*Node).propose", "/home/dev/distributed-kv/consensus/consensus.go", false},
		{"distributed-kv/consensus.(*Node).propose", "", false},
		{"myapp/internal/db.Query", "/src/myapp/internal/db/query.go", false},
		{"main.main", "/app/main.go", false},
		{"main.leak.func1", "", false},
		{"github.com/x/y.(*T).M", "/go/pkg/mod/github.com/x/y@v1.0.0/t.go", false},
		{"example.com/p.F[...]", "/src/p/f.go", false},
		{"golang.org/x/net/http2.(*serverConn).serve", "/go/pkg/mod/golang.org/x/net@v0.1.0/http2/server.go", false},
		// A std-looking path in a file that is not where a GOROOT keeps it.
		{"net/http.(*conn).serve", "/home/dev/fork/http/server.go", false},
		{"net/http.(*conn).serve", "C:/Users/dev/http/server.go", false},
		{"0x4b9c24", "", false},
		{"?", "", false},
	} {
		got := IsStandardLibrary(stack.Frame{Function: tc.fn, File: tc.file, Line: 1})
		assert.Equal(t, tc.want, got, "%s at %s", tc.fn, tc.file)
	}
}
