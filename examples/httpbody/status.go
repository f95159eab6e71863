package httpbody

import (
	"io"
	"net/http"
)

// Status returns the status code of a GET request for url.
//
// Bug: the response body is never closed, so the connection and its two
// goroutines are never released.
func Status(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// StatusFixed is Status without the leak: it drains and closes the body,
// which returns the connection to the client's idle pool.
func StatusFixed(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
