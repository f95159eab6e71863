package httpbody_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/httpbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newServerAndClient starts a test server and a client with a transport
// of its own, both shut down when the test ends.
func newServerAndClient(t *testing.T) (*httptest.Server, *http.Client) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return srv, &http.Client{Transport: tr}
}

func TestFixedStatus(t *testing.T) {
	leakcheck.Verify(t)
	srv, client := newServerAndClient(t)

	code, err := httpbody.StatusFixed(client, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
}

func TestLeakyStatus(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	leakcheck.Verify(t)
	srv, client := newServerAndClient(t)

	code, err := httpbody.Status(client, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
}
