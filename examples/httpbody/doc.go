// Package httpbody shows goroutines leaked by an HTTP response body that
// is never closed.
//
// Every connection of an http.Transport has two goroutines, a readLoop
// and a writeLoop. A connection goes back to the idle pool, where
// CloseIdleConnections can close it, only once the response body has been
// read to the end and closed. Status returns without closing the body, so
// the connection stays busy forever and both goroutines stay with it,
// whatever the server or the transport does later. (httptest.Server.Close
// closes the idle connections of http.DefaultTransport only, which is why
// the tests use a transport of their own.)
//
// The fix is "defer resp.Body.Close()", after draining the body so that
// the connection can be reused; the owner of the transport then ends the
// goroutines of idle connections with CloseIdleConnections.
package httpbody
