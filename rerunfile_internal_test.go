package leakcheck

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validRequest is a request as a parent writes it.
const validRequest = `{"test":"TestX/sub","kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2},` +
	`{"test":"TestX/sub","fingerprint":"fedcba9876543210","count":1}],"wait_ms":2000,"result":"/tmp/leakcheck-rerun-1/result.json"}`

// validResult answers validRequest.
const validResult = `{"kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2,"stack_bytes":4096,"heap_bytes":1048576,` +
	`"largest":[{"bytes":1048576,"function":"pkg.TestX.func1","file":"/src/x_test.go","line":12}]},` +
	`{"test":"TestX/sub","fingerprint":"fedcba9876543210","count":1,"stack_bytes":2048,"heap_bytes":0}],"heap_bytes":1049000}`

func TestParseRerunRequest(t *testing.T) {
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(t, err)
	assert.Equal(t, "TestX/sub", req.Test)
	assert.Len(t, req.Kinds, 2)
	for _, c := range []struct{ in, err string }{
		{``, "EOF"},
		{`{}`, "is not an absolute path"},
		{`{"result":"rel/result.json","kinds":[{"fingerprint":"0123456789abcdef","count":1}]}`, "is not an absolute path"},
		{`{"result":"/r","kinds":[]}`, "0 kinds of leak"},
		{`{"result":"/r","kinds":[{"fingerprint":"0123","count":1}]}`, "is not 16 hex digits"},
		{`{"result":"/r","kinds":[{"fingerprint":"0123456789abcdef","count":0}]}`, "0 goroutines"},
		{`{"result":"/r","wait_ms":-1,"kinds":[{"fingerprint":"0123456789abcdef","count":1}]}`, "wait of -1 ms"},
		{`{"result":"/r","kinds":[{"fingerprint":"0123456789abcdef","count":1},{"fingerprint":"0123456789abcdef","count":1}]}`, "listed twice"},
		{`{"test":"TestX","result":"/r","kinds":[{"test":"TestY","fingerprint":"0123456789abcdef","count":1}]}`, `in a rerun of "TestX"`},
		{`{"result":"/r","kinds":[{"fingerprint":"0123456789abcdef","count":1}]} {}`, "data after the JSON value"},
		{`{"result":"/r","extra":1,"kinds":[{"fingerprint":"0123456789abcdef","count":1}]}`, "unknown field"},
		{strings.Repeat(" ", maxRerunFile+1), "larger than"},
	} {
		_, err := parseRerunRequest(strings.NewReader(c.in))
		if assert.Error(t, err, c.in) {
			assert.Contains(t, err.Error(), c.err)
		}
	}
}

func TestParseRerunResult(t *testing.T) {
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(t, err)
	res, err := parseRerunResult(strings.NewReader(validResult), req)
	require.NoError(t, err)
	require.Len(t, res.Kinds, 2)
	held := res.Kinds[0].held()
	assert.Equal(t, uint64(1048576), held.heap)
	assert.Equal(t, "/src/x_test.go", held.largest[0].Alloc[0].File)

	res, err = parseRerunResult(strings.NewReader(`{"skipped":"the rerun did not reproduce the leak","heap_bytes":0}`), req)
	require.NoError(t, err)
	assert.Equal(t, "the rerun did not reproduce the leak", res.Skipped)

	for _, c := range []struct{ in, err string }{
		{`{"heap_bytes":0}`, "2 of the kinds asked for are missing"},
		{strings.Replace(validResult, "fedcba9876543210", "0123456789abcdef", 1), "or is listed twice"},
		{strings.Replace(validResult, `"heap_bytes":1049000`, `"heap_bytes":1`, 1), "more than the 1 they hold together"},
		{strings.Replace(validResult, `"bytes":1048576`, `"bytes":1048577`, 1), "an object of 1048577 bytes"},
		{strings.Replace(validResult, "TestX/sub", "TestY", 1), "was not asked for"},
		{`{"skipped":"two\nlines"}`, "not one printable line"},
		{`{"skipped":"why","kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2}]}`, "and a reason not to measure"},
		{`{"kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2,"heap_bytes":18446744073709551615},` +
			`{"test":"TestX/sub","fingerprint":"fedcba9876543210","count":1,"heap_bytes":1}],"heap_bytes":18446744073709551615}`, "overflow"},
		{`[]`, "cannot unmarshal"},
	} {
		_, err := parseRerunResult(strings.NewReader(c.in), req)
		if assert.Error(t, err, c.in) {
			assert.Contains(t, err.Error(), c.err)
		}
	}
}

// A request never panics the child, and one it accepts reads the same
// once written again.
func FuzzRerunRequest(f *testing.F) {
	f.Add([]byte(validRequest))
	f.Add([]byte(`{"test":"","kinds":[{"test":"","fingerprint":"0123456789abcdef","count":1}],"wait_ms":0,"result":"/r"}`))
	f.Add([]byte(`{"result":"/r","kinds":null}`))
	f.Add([]byte(`{"wait_ms":1e30}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseRerunRequest(bytes.NewReader(data))
		if err != nil {
			return
		}
		again, err := json.Marshal(req)
		require.NoError(t, err)
		req2, err := parseRerunRequest(bytes.NewReader(again))
		require.NoError(t, err)
		assert.Equal(t, req, req2)
	})
}

// A result never panics the parent, and one it accepts adds up: every
// kind asked for, once, each holding no more than all together.
func FuzzRerunResult(f *testing.F) {
	f.Add([]byte(validResult))
	f.Add([]byte(`{"skipped":"the rerun did not reproduce the leak","heap_bytes":0}`))
	f.Add([]byte(`{"kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2,"largest":[{}, {}, {}, {}]}]}`))
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := parseRerunResult(bytes.NewReader(data), req)
		if err != nil {
			return
		}
		if res.Skipped != "" {
			assert.Empty(t, res.Kinds)
			return
		}
		assert.Len(t, res.Kinds, len(req.Kinds))
		for _, h := range res.Kinds {
			assert.LessOrEqual(t, h.HeapBytes, res.HeapBytes)
			m := h.held()
			assert.LessOrEqual(t, len(m.largest), maxLargest)
		}
	})
}
