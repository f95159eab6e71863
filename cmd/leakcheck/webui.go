package main

import (
	"context"
	"fmt"
	"net"

	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/webui"
)

// serveWebUI serves pprof's web UI over the judged groups, each a sample
// labelled with its verdict (the flame graph's root), on -http until ctx
// is done, and says where on standard error.
func serveWebUI(ctx context.Context, o *options, js []*judged, comment string) error {
	return webui.Serve(ctx, o.httpAddr, groupsProfile(js, comment), func(url string) {
		fmt.Fprintf(o.stderr, "leakcheck %s: pprof's web UI on %s (flame graph: %sflamegraph); ^C stops it\n", o.cmd, url, url)
	})
}

// checkHTTPAddr checks an -http address: host:port, either may be empty
// (":0", "localhost:", ":8080").
func checkHTTPAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("-http %q: want host:port, such as 127.0.0.1:0 or :8080", addr)
	}
	return nil
}
