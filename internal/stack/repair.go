package stack

import (
	"bytes"
	"strings"
)

// RepairLine undoes what pasting does to a line of a goroutine dump, the
// line given with its line end: it drops "> " (or ">") quoting, nested
// or not, Markdown's backticks and leading spaces (an indented paste, or
// tabs turned into spaces); it starts a position line ("/src/x.go:12
// +0x1d") with the tab the runtime writes and pastes lose; it gives back
// the "g" of a header that lost it ("oroutine 6 [chan receive]:"); it
// drops the "]" that closes goleak's list; and it turns the line with
// which goleak's failure message introduces each goroutine ("[Goroutine
// 12 in state chan send, with pkg.fn on top of the stack:") into the
// header it stands for ("goroutine 12 [chan send]:"). Repairing a
// repaired line changes nothing. Lines the runtime writes come back
// unchanged, so Parse of the repaired text reads any dump. The result
// may share line's memory (which it may modify) or scratch's, which
// grows as needed.
func RepairLine(line []byte, scratch *[]byte) []byte {
	out, _ := repairLine(line, scratch)
	return out
}

// repairLine is [RepairLine], and reports whether the line was goleak's
// introduction of a goroutine.
func repairLine(line []byte, scratch *[]byte) (_ []byte, goleak bool) {
	if len(line) == 0 || line[0] == '\t' && (len(line) == 1 || line[1] != '\t' && line[1] != ' ') {
		return line, false // the runtime's own indentation: a position, a note
	}
	switch c := line[0]; c {
	case '>', ' ', '\t', '`', '[', ']', 'G', 'o':
	default:
		if !isHexDigit(lastByte(line)) {
			return line, false // most lines: a function line ends in ")", a header in ":"
		}
	}
	// Quoting, indentation and backticks, in any order. (Not a line
	// that starts with one tab: the runtime indents so. Two are the
	// indentation of a test's output, as go test printed it before Go
	// 1.14.)
	k := 0
	for k < len(line) && (line[k] == '>' || line[k] == ' ' || line[k] == '\t' || line[k] == '`') {
		k++
	}
	rest := line[k:]
	body := bytes.TrimRight(rest, "\r\n")
	switch {
	case isPosition(body):
		if k == 0 {
			*scratch = append(append((*scratch)[:0], '\t'), line...)
			return *scratch, false
		}
		line[k-1] = '\t'
		return line[k-1:], false
	case len(body) == 1 && body[0] == ']':
		return rest[1:], false // goleak's closing bracket: an empty line
	case len(body) > 0 && (body[0] == '[' || body[0] == 'G'):
		if h, ok := goleakHeader(string(body)); ok {
			*scratch = append(append((*scratch)[:0], h...), rest[len(body):]...)
			return *scratch, true
		}
	case bytes.HasPrefix(body, []byte("oroutine ")) && isHeader("g"+string(body)):
		*scratch = append(append((*scratch)[:0], 'g'), rest...)
		return *scratch, false
	}
	if line[0] == '\t' && len(body) > 0 && !isHeader(string(body)) && !isCall(body) {
		return line, false // over-indented text, not a pasted dump's line
	}
	return rest, false
}

// isCall reports whether line reads as a function line of a dump,
// "pkg.f(...)", or its creator's, "created by pkg.f".
func isCall(line []byte) bool {
	if bytes.HasPrefix(line, []byte("created by ")) {
		return true
	}
	open := bytes.IndexByte(line, '(')
	return open > 0 && bytes.HasSuffix(line, []byte(")")) &&
		!bytes.ContainsAny(line[:open], " \t") && bytes.IndexByte(line[:open], '.') > 0
}

// goleakHeader turns the line with which goleak's failure message
// introduces a goroutine, "[Goroutine 12 in state chan send, with pkg.fn
// on top of the stack:" (the first of the list starts with "[", the
// others with a space), into the goroutine's header, "goroutine 12 [chan
// send]:".
func goleakHeader(line string) (string, bool) {
	line = strings.TrimPrefix(line, "[")
	rest, ok := strings.CutPrefix(line, "Goroutine ")
	if !ok || !strings.HasSuffix(rest, " on top of the stack:") {
		return "", false
	}
	id, rest, ok := strings.Cut(rest, " in state ")
	if !ok || parseID(id) == 0 {
		return "", false
	}
	state, _, ok := strings.Cut(rest, ", with ")
	if !ok || state == "" || strings.ContainsAny(state, "[]") {
		return "", false
	}
	return "goroutine " + id + " [" + state + "]:", true
}

// lastByte returns the last byte of line before its line end, or 0.
func lastByte(line []byte) byte {
	n := len(line)
	for n > 0 && (line[n-1] == '\n' || line[n-1] == '\r') {
		n--
	}
	if n == 0 {
		return 0
	}
	return line[n-1]
}

// isPosition reports whether s, a line without its indentation, is the
// position of a frame: a source file, a colon and a line number, maybe
// followed by " +0x1d" or GOTRACEBACK=system's " fp=... sp=... pc=...".
// Function lines end in ")" and headers in ":", so most lines are told
// by their last byte.
func isPosition(s []byte) bool {
	if len(s) == 0 || !isHexDigit(s[len(s)-1]) {
		return false
	}
	if i := bytes.Index(s, []byte(" +0x")); i >= 0 {
		s = s[:i]
	} else if i := bytes.Index(s, []byte(" fp=")); i >= 0 {
		s = s[:i]
	}
	colon := bytes.LastIndexByte(s, ':')
	if colon < 0 || colon == len(s)-1 {
		return false
	}
	for _, c := range s[colon+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	file := s[:colon]
	return bytes.HasSuffix(file, []byte(".go")) || bytes.HasSuffix(file, []byte(".s")) || bytes.HasSuffix(file, []byte(".c"))
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
