package measure

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validRequest is a request as a parent writes it.
const validRequest = `{"test":"TestX/sub","subject":"TestX/sub","kinds":[{"test":"TestX/sub","fingerprint":"0123456789abcdef","count":2,"name":"\"chan send\" in pkg.f"},` +
	`{"test":"TestX/sub","fingerprint":"fedcba9876543210","count":1,"name":"\"select\" in pkg.g"}],"wait_ms":2000,` +
	`"limit_ms":15000,"end_unix_ms":1796650000000,"read_for_ms":60000,"frame":"test2json","result":"/tmp/leakcheck-rerun-1/published"}`

// minimal is the least a request holds, and the kind it asks for.
const (
	minimal = `"limit_ms":1,"end_unix_ms":1,"result":"/r"`
	kind    = `{"fingerprint":"0123456789abcdef","count":1}`
)

func TestParseRerunRequest(t *testing.T) {
	req, err := parseRerunRequest(strings.NewReader(validRequest))
	require.NoError(t, err)
	assert.Equal(t, "TestX/sub", req.Test)
	assert.Len(t, req.Kinds, 2)
	for _, c := range []struct{ in, err string }{
		{``, "EOF"},
		{`{}`, "is not an absolute path"},
		{`{"result":"rel/result.json","kinds":[` + kind + `]}`, "is not an absolute path"},
		{`{` + minimal + `,"kinds":[]}`, "0 kinds of leak"},
		{`{` + minimal + `,"kinds":[{"fingerprint":"0123","count":1}]}`, "is not 16 hex digits"},
		{`{` + minimal + `,"kinds":[{"fingerprint":"0123456789abcdef","count":0}]}`, "0 goroutines"},
		{`{` + minimal + `,"kinds":[{"fingerprint":"0123456789abcdef","count":1,"name":"two\nlines"}]}`, "its name is not one printable line"},
		{`{` + minimal + `,"wait_ms":-1,"kinds":[` + kind + `]}`, "wait of -1 ms"},
		{`{"result":"/r","kinds":[` + kind + `]}`, "time limits of 0 ms"},
		{`{` + minimal + `,"read_for_ms":-1,"kinds":[` + kind + `]}`, "time limits of 1 ms, -1 ms"},
		{`{` + minimal + `,"frame":"xml","kinds":[` + kind + `]}`, `frame "xml"`},
		{`{` + minimal + `,"subject":"a\u0000b","kinds":[` + kind + `]}`, "not one printable line"},
		{`{` + minimal + `,"json":"rel.jsonl","records":[{}],"kinds":[` + kind + `]}`, "want absolute paths"},
		{`{` + minimal + `,"profile":"rel.pb.gz","kinds":[` + kind + `]}`, "want absolute paths"},
		{`{` + minimal + `,"json":"/j.jsonl","kinds":[` + kind + `]}`, "0 JSON records for 1 kinds"},
		{`{` + minimal + `,"json":"/j.jsonl","records":[{"fingerprint":"fedcba9876543210"}],"kinds":[` + kind + `]}`, "JSON record 0 is of kind fedcba9876543210"},
		{`{` + minimal + `,"kinds":[` + kind + `,` + kind + `]}`, "listed twice"},
		{`{"test":"TestX",` + minimal + `,"kinds":[{"test":"TestY","fingerprint":"0123456789abcdef","count":1}]}`, `in a rerun of "TestX"`},
		{`{` + minimal + `,"kinds":[` + kind + `]} {}`, "data after the JSON value"},
		{`{` + minimal + `,"extra":1,"kinds":[` + kind + `]}`, "unknown field"},
		{strings.Repeat(" ", maxRerunFile+1), "larger than"},
	} {
		_, err := parseRerunRequest(strings.NewReader(c.in))
		if assert.Error(t, err, c.in) {
			assert.Contains(t, err.Error(), c.err)
		}
	}
}

// A request never panics the child, and one it accepts reads the same
// once written again.
func FuzzRerunRequest(f *testing.F) {
	f.Add([]byte(validRequest))
	f.Add([]byte(`{"test":"",` + minimal + `,"kinds":[{"test":"","fingerprint":"0123456789abcdef","count":1}],"wait_ms":0}`))
	f.Add([]byte(`{` + minimal + `,"json":"/j","records":[{"fingerprint":"0123456789abcdef","count":1,"goroutine_ids":[1]}],"kinds":[` + kind + `]}`))
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
