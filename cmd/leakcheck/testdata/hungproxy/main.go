// Command hungproxy is a reverse proxy in front of an upstream that
// never answers /hang, both on loopback in one process, with
// net/http/pprof: each request to /hang leaves goroutines of four kinds
// (the proxy's connection waiting in the transport, the transport's read
// and write loops, the upstream's handler), the shape of a real proxy
// whose upstream hangs. It prints its URL, then serves until killed;
// /hung says how many requests the upstream holds.
package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	_ "net/http/pprof"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
)

func main() {
	var hung atomic.Int64
	never := make(chan struct{})
	upstream := http.NewServeMux()
	upstream.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		<-never // the upstream's bug: it never answers
	})
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ul, upstream)

	target, _ := url.Parse("http://" + ul.Addr().String())
	http.Handle("/hang", httputil.NewSingleHostReverseProxy(target))
	http.HandleFunc("/hung", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strconv.FormatInt(hung.Load(), 10))
	})
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", pl.Addr())
	http.Serve(pl, nil)
}
