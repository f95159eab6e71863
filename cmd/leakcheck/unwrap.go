package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Logs wrap the lines of a dump: CI systems and log collectors prefix
// every line, and "go test -json" puts each line in a JSON object. A
// wrapping is recognised from the first lines of a source, and undone
// line by line as the source streams, so that an input that is not
// wrapped is read as fast as before: [unwrap] hands its reader back.

// unwrapHeadLines is how many lines of the head decide on a wrapping.
const unwrapHeadLines = 200

// A linePrefix is a prefix that a log system writes before every line.
type linePrefix struct {
	what string // for the report: "timestamps (GitHub Actions style)"
	re   *regexp.Regexp
	// match, if set, does what re does, faster: the length of the
	// prefix line starts with, or -1.
	match func(line []byte) int
}

// prefixEnd returns the length of p's prefix at the start of line, or -1.
func (p *linePrefix) prefixEnd(line []byte) int {
	if p.match != nil {
		return p.match(line)
	}
	if loc := p.re.FindIndex(line); loc != nil {
		return loc[1]
	}
	return -1
}

// linePrefixes are the known prefixes, tried in order.
var linePrefixes = []linePrefix{
	// GitHub Actions and Azure Pipelines (RFC 3339 in UTC, 7 decimals),
	// kubectl logs --timestamps and docker logs -t (9 decimals).
	{"timestamps (GitHub Actions style)", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) ?`), rfc3339End},
	// journald and syslog: "Oct 07 12:00:00 host app[123]: ".
	{"journald/syslog prefixes", regexp.MustCompile(`^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [^ ]+ [^ :\[]+(?:\[\d+\])?: ?`), nil},
	// The log package's date and time: "2023/05/01 10:00:00.123456 ".
	{"log timestamps", regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? `), nil},
}

// lineNumber matches a line number copied with the text: "123 ",
// "  45\t", "7: ".
var lineNumber = regexp.MustCompile(`^ *(\d{1,9})(?:: ?|\t| |$)`)

// A wrapping is how the lines of a source were wrapped, and how to undo
// it for one line.
type wrapping struct {
	what  string                   // what is removed, for the report
	strip func(line []byte) []byte // the line, without its line end, unwrapped
	// dropEnd reports whether the line end is part of the wrapping: an
	// event of "go test -json" holds its own.
	dropEnd bool
}

// unwrap looks at the first lines br holds and, when every line (or
// nearly: a log may hold lines of its own) is wrapped the same way,
// returns a reader of the unwrapped lines and says what it removes.
// Otherwise it returns br itself and "".
func unwrap(br *bufio.Reader) (io.Reader, string) {
	head, _ := br.Peek(br.Size())
	w := detectWrapping(head)
	if w == nil {
		return br, ""
	}
	return &unwrapReader{br: br, w: w}, w.what
}

// detectWrapping decides on the wrapping of the complete lines of head.
func detectWrapping(head []byte) *wrapping {
	var lines [][]byte
	for len(head) > 0 && len(lines) < unwrapHeadLines {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			if len(lines) == 0 {
				lines = append(lines, head) // a source of one line
			}
			break
		}
		if line := bytes.TrimRight(head[:i], "\r"); len(bytes.TrimSpace(line)) > 0 {
			lines = append(lines, line)
		}
		head = head[i+1:]
	}
	if len(lines) == 0 {
		return nil
	}
	// Most lines wrapped, and at least two: a log's own lines may lack
	// the prefix, a dump's lines never share one.
	most := func(n int) bool { return n >= 2 && n*10 >= len(lines)*8 || n == 1 && len(lines) == 1 }
	jsonLines := 0
	for _, l := range lines {
		if bytes.HasPrefix(l, []byte(`{"`)) && bytes.Contains(l, []byte(`"Action":`)) {
			jsonLines++
		}
	}
	if most(jsonLines) {
		return &wrapping{what: `the "go test -json" events around each line (their Output fields are read)`, strip: testJSONOutput, dropEnd: true}
	}
	for i := range linePrefixes {
		p := &linePrefixes[i]
		n := 0
		for _, l := range lines {
			if p.prefixEnd(l) >= 0 {
				n++
			}
		}
		if most(n) {
			return &wrapping{what: "the " + p.what + " of each line", strip: func(line []byte) []byte {
				if end := p.prefixEnd(line); end >= 0 {
					return line[end:]
				}
				return line
			}}
		}
	}
	if numbered(lines) {
		return &wrapping{what: "the line numbers of each line", strip: func(line []byte) []byte {
			if loc := lineNumber.FindIndex(line); loc != nil {
				return line[loc[1]:]
			}
			return line
		}}
	}
	if p := sharedPrefix(lines); p != nil {
		return &wrapping{what: "the prefix " + strconv.Quote(string(p)) + " of each line", strip: func(line []byte) []byte {
			return bytes.TrimPrefix(line, p)
		}}
	}
	return nil
}

// numbered reports whether lines carry line numbers that count up by
// one, as text copied from a viewer with line numbers does (empty lines
// are numbered too, so numbers may skip where they were).
func numbered(lines [][]byte) bool {
	if len(lines) < 3 {
		return false
	}
	prev := -1
	for _, l := range lines {
		m := lineNumber.FindSubmatch(l)
		if m == nil || bytes.HasPrefix(l[len(m[0]):], []byte("@ ")) {
			return false // not numbered, or a text profile's record: "3 @ 0x..."
		}
		n, err := strconv.Atoi(string(m[1]))
		if err != nil || prev >= 0 && (n <= prev || n > prev+3) {
			return false
		}
		prev = n
	}
	return true
}

// sharedPrefix returns the prefix every line shares, cut after its last
// separator (" | ", "] ", ": "), as "docker compose logs" ("web-1  | ")
// and many a logger write it; nil when there is none, or when it is
// only quoting and indentation, which RepairLine undoes line by line.
func sharedPrefix(lines [][]byte) []byte {
	if len(lines) < 3 {
		return nil
	}
	p := lines[0]
	for _, l := range lines[1:] {
		n := 0
		for n < len(p) && n < len(l) && p[n] == l[n] {
			n++
		}
		p = p[:n]
	}
	cut := bytes.LastIndexAny(p, " |]:")
	if cut < 0 {
		return nil
	}
	p = p[:cut+1]
	if len(bytes.Trim(p, "> \t")) == 0 || bytes.HasPrefix(p, []byte("goroutine ")) {
		return nil
	}
	return bytes.Clone(p)
}

// rfc3339End matches what the first of linePrefixes' patterns does,
// without a regular expression: most of a CI log's time goes there.
func rfc3339End(line []byte) int {
	digits := func(i, n int) bool {
		if i+n > len(line) {
			return false
		}
		for _, c := range line[i : i+n] {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	at := func(i int, c byte) bool { return i < len(line) && line[i] == c }
	// 2023-05-01T10:00:00
	if !digits(0, 4) || !at(4, '-') || !digits(5, 2) || !at(7, '-') || !digits(8, 2) || !at(10, 'T') ||
		!digits(11, 2) || !at(13, ':') || !digits(14, 2) || !at(16, ':') || !digits(17, 2) {
		return -1
	}
	i := 19
	if at(i, '.') && digits(i+1, 1) {
		i++
		for digits(i, 1) {
			i++
		}
	}
	switch {
	case at(i, 'Z'):
		i++
	case at(i, '+') || at(i, '-'):
		if !digits(i+1, 2) {
			return -1
		}
		i += 3
		if at(i, ':') {
			i++
		}
		if !digits(i, 2) {
			return -1
		}
		i += 2
	default:
		return -1
	}
	if at(i, ' ') {
		i++
	}
	return i
}

// testJSONOutput returns the Output of an "output" event of "go test
// -json", a line of text without its own line end when the test wrote
// one in pieces; other events give nothing, and a line that is not an
// event (a build error) stays as it is.
func testJSONOutput(line []byte) []byte {
	if !bytes.HasPrefix(line, []byte("{")) {
		return line
	}
	if out, ok := quickOutput(line); ok {
		return out
	}
	var ev struct {
		Action string
		Output string
	}
	if json.Unmarshal(line, &ev) != nil {
		return line
	}
	if ev.Action != "output" {
		return nil
	}
	return []byte(ev.Output)
}

// quickOutput reads the Output of an "output" event the way the go
// command writes it, `{"Time":...,"Action":"output",...,"Output":"..."}`
// with Output last, without encoding/json (four times slower on a dump of
// a hundred thousand goroutines). It gives up (ok false) on anything
// else, for encoding/json to read.
func quickOutput(line []byte) (out []byte, ok bool) {
	if !bytes.Contains(line, []byte(`"Action":"output",`)) {
		return nil, false
	}
	i := bytes.Index(line, []byte(`,"Output":"`))
	if i < 0 || !bytes.HasSuffix(line, []byte(`"}`)) || i+len(`,"Output":"`) > len(line)-len(`"}`) {
		return nil, false
	}
	if !simpleFields(line[:i]) {
		return nil, false
	}
	s := line[i+len(`,"Output":"`) : len(line)-len(`"}`)]
	for _, c := range s {
		if c < 0x20 {
			return nil, false // JSON escapes control characters
		}
	}
	if !utf8.Valid(s) {
		return nil, false // encoding/json replaces invalid bytes
	}
	if bytes.IndexByte(s, '\\') < 0 {
		if bytes.IndexByte(s, '"') >= 0 {
			return nil, false
		}
		return s, true
	}
	for len(s) > 0 {
		k := bytes.IndexByte(s, '\\')
		if k < 0 {
			if bytes.IndexByte(s, '"') >= 0 {
				return nil, false
			}
			out = append(out, s...)
			break
		}
		if bytes.IndexByte(s[:k], '"') >= 0 || k+1 >= len(s) {
			return nil, false
		}
		out = append(out, s[:k]...)
		switch c := s[k+1]; c {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case '"', '\\', '/':
			out = append(out, c)
		default:
			return nil, false // \u, \b, \f: encoding/json's job
		}
		s = s[k+2:]
	}
	return out, true
}

// simpleFields reports whether head is `{"k":"v","k":"v"...` with keys
// and string values free of quotes and escapes, or numbers, as the
// fields the go command writes before Output are.
func simpleFields(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("{")) {
		return false
	}
	head = head[1:]
	for len(head) > 0 {
		// "key":
		if head[0] != '"' {
			return false
		}
		end := bytes.IndexByte(head[1:], '"')
		if end < 0 || bytes.IndexByte(head[1:1+end], '\\') >= 0 {
			return false
		}
		head = head[end+2:]
		if len(head) == 0 || head[0] != ':' {
			return false
		}
		head = head[1:]
		// "value" or a number
		if len(head) > 0 && head[0] == '"' {
			end := bytes.IndexByte(head[1:], '"')
			if end < 0 || bytes.IndexByte(head[1:1+end], '\\') >= 0 {
				return false
			}
			head = head[end+2:]
		} else {
			n := 0
			for n < len(head) && (head[n] >= '0' && head[n] <= '9' || head[n] == '.' || head[n] == '-' || head[n] == 'e' || head[n] == 'E' || head[n] == '+') {
				n++
			}
			if n == 0 {
				return false
			}
			if _, err := strconv.ParseFloat(string(head[:n]), 64); err != nil {
				return false
			}
			head = head[n:]
		}
		if len(head) == 0 {
			return true
		}
		if head[0] != ',' {
			return false
		}
		head = head[1:]
	}
	return false
}

// An unwrapReader reads the lines of br with their wrapping removed.
type unwrapReader struct {
	br  *bufio.Reader
	w   *wrapping
	out []byte // unwrapped text not yet read
	err error
	// midLine reports whether the last read ended inside a line.
	midLine bool
}

func (u *unwrapReader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		line, err := u.br.ReadSlice('\n')
		switch {
		case u.midLine:
			// The rest of a line longer than the buffer: as it is.
			u.out = append(u.out[:0], line...)
		case err == bufio.ErrBufferFull:
			// The start of a long line: no line end yet.
			u.out = append(u.out[:0], u.w.strip(line)...)
		default:
			end := lineEnd(line)
			u.out = append(u.out[:0], u.w.strip(line[:len(line)-len(end)])...)
			if !u.w.dropEnd {
				u.out = append(u.out, end...)
			}
		}
		u.midLine = err == bufio.ErrBufferFull
		if err != bufio.ErrBufferFull {
			u.err = err
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// lineEnd returns the "\n" or "\r\n" that ends line, if any.
func lineEnd(line []byte) []byte {
	switch {
	case bytes.HasSuffix(line, []byte("\r\n")):
		return line[len(line)-2:]
	case bytes.HasSuffix(line, []byte("\n")):
		return line[len(line)-1:]
	}
	return nil
}
