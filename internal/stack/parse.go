package stack

import (
	"strconv"
	"strings"
	"time"
)

// Parse parses the text of runtime.Stack(buf, true) into goroutines,
// in dump order. It never fails and never panics: every header line
// ("goroutine N [" or, in crash dumps, "goroutine N gp=") starts a
// goroutine, even when its stack is garbled or cut short (but for a
// header alone followed by the same goroutine's header, which only
// goleak's reports have); a line it does
// not understand stays in the goroutine's Stack text; text before the
// first header belongs to no goroutine and is dropped. Lines may end in
// "\n" or "\r\n".
//
// All strings in the result are substrings of dump, except label keys and
// values that the runtime escaped, so parsing allocates little: the
// goroutine slice, one frame array shared by all goroutines, and for each
// goroutine with labels or ancestors a map or a slice.
func Parse(dump string) []Goroutine {
	// Both counts are upper bounds, so the appends below never grow the
	// slices; counting is much cheaper than reallocating. Every header
	// but the first follows a newline; "created by f in goroutine N"
	// does not count.
	headers, positions := countLines(dump)
	gs := make([]Goroutine, 0, headers+1)
	frames := make([]Frame, 0, positions)
	rest := dump
	// Skip to the first header.
	for rest != "" && !isHeader(rest) {
		_, rest = cutLine(rest)
	}
	for rest != "" {
		gs = append(gs, Goroutine{})
		block := rest
		rest, frames = parseBlock(&gs[len(gs)-1], rest, frames)
		if introduces(block[:len(block)-len(rest)], rest) {
			gs = gs[:len(gs)-1]
		}
	}
	return gs
}

// introduces reports whether block, a header alone, is followed by the
// header of the same goroutine in rest, as goleak before v1.3 introduced
// each goroutine it listed: "[Goroutine 12 in state chan send, ...",
// repaired into a header ([RepairLine]), then the goroutine's own
// header. The runtime never writes two headers of one goroutine in a
// row.
func introduces(block, rest string) bool {
	if !isHeader(rest) {
		return false
	}
	header, after, _ := strings.Cut(block, "\n")
	if strings.TrimSpace(after) != "" {
		return false
	}
	id := func(h string) string {
		h = h[len("goroutine "):]
		return h[:strings.IndexByte(h, ' ')]
	}
	return id(header) == id(rest)
}

// countLines returns, in one pass, the number of lines that start with
// "goroutine " and with a tab, not counting the first line:
// strings.Count(dump, "\ngoroutine ") and strings.Count(dump, "\n\t").
func countLines(dump string) (headers, positions int) {
	for {
		i := strings.IndexByte(dump, '\n')
		if i < 0 {
			return headers, positions
		}
		dump = dump[i+1:]
		if dump == "" {
			return headers, positions
		}
		switch dump[0] {
		case '\t':
			positions++
		case 'g':
			if strings.HasPrefix(dump, "goroutine ") {
				headers++
			}
		}
	}
}

// isHeader reports whether the line s starts with a goroutine header:
// "goroutine", a space, decimal digits, a space, then "[" or, under
// GOTRACEBACK=system, "gp=".
func isHeader(s string) bool {
	const prefix = "goroutine "
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	i := len(prefix)
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == len(prefix) || i >= len(s) || s[i] != ' ' {
		return false
	}
	s = s[i+1:]
	return strings.HasPrefix(s, "[") || strings.HasPrefix(s, "gp=")
}

// cutLine splits s after its first line, dropping the line's "\n" or
// "\r\n".
func cutLine(s string) (line, rest string) {
	line, rest, _ = strings.Cut(s, "\n")
	return strings.TrimSuffix(line, "\r"), rest
}

// parseBlock fills g from the goroutine block at the start of dump, which
// begins with a header line, and returns the text after the block (from
// the next header on). It appends the goroutine's frames to frames and
// returns the extended slice.
func parseBlock(g *Goroutine, dump string, frames []Frame) (rest string, _ []Frame) {
	header, rest := cutLine(dump)
	parseHeader(g, header)

	start := len(frames)
	inAncestor := false
	for rest != "" && !isHeader(rest) {
		var line string
		line, rest = cutLine(rest)
		switch {
		case line == "":
			continue
		case isElided(line):
			if inAncestor {
				continue
			}
			count := strings.TrimSuffix(strings.TrimLeft(line, " \t")[len("..."):], " frames elided...")
			if v, err := strconv.Atoi(count); err == nil && v > 0 {
				g.ElidedFrames += v
			} else {
				// "...additional frames elided..." gives no count.
				g.ElidedFrames++
			}
		case line[0] == '\t' || line[0] == ' ':
			// A position with no function line before it, or a note
			// such as "goroutine running on other thread; stack
			// unavailable": nothing to record.
			if brokenPosition(line) {
				g.garbled++
			}
			continue
		case strings.HasPrefix(line, "created by "):
			var loc string
			loc, rest = nextPosition(rest)
			if inAncestor {
				continue
			}
			fn, parent, _ := strings.Cut(line[len("created by "):], " in goroutine ")
			g.CreatedBy.Function = fn
			g.CreatedBy.File, g.CreatedBy.Line = parseFileLine(loc)
			g.ParentID = parseID(parent)
		case strings.HasPrefix(line, "[originating from goroutine "):
			// The stacks of the creators, recorded when each started
			// its child: they are history, not the goroutine's frames.
			inAncestor = true
			id := strings.TrimSuffix(line[len("[originating from goroutine "):], "]:")
			if v := parseID(id); v != 0 {
				g.Ancestors = append(g.Ancestors, v)
			}
		default:
			loc, after := nextPosition(rest)
			// A function line is followed by its position, or, for
			// inlined or non-Go frames and in cut-short dumps, at least
			// looks like a call. Anything else is noise written into the
			// dump (log lines, a crash message) and is left out.
			if loc == "" && !strings.HasSuffix(line, ")") && !strings.HasPrefix(line, "non-Go function") {
				if brokenPosition(line) {
					g.garbled++
				}
				continue
			}
			rest = after
			if inAncestor {
				g.ancestorFunctions = append(g.ancestorFunctions, functionName(line))
				continue
			}
			f := Frame{Function: functionName(line)}
			f.File, f.Line = parseFileLine(loc)
			if f.Line == 0 && loc != "" && !strings.HasPrefix(loc, "?") {
				g.garbled++ // no runtime writes line 0
			}
			frames = append(frames, f)
		}
	}
	g.Stack = trimLineEnds(dump[:len(dump)-len(rest)])
	if len(frames) > start {
		// Cap the slice so that an append by a user cannot overwrite
		// the next goroutine's frames.
		g.Frames = frames[start:len(frames):len(frames)]
	}
	return rest, frames
}

// garbledState reports whether a header's state holds what no wait
// reason does: "=", brackets, braces, a colon or an address ("0x").
func garbledState(state string) bool {
	for i := 0; i < len(state); i++ {
		switch state[i] {
		case '=', '[', ']', '{', '}', ':':
			return true
		case 'x':
			if i > 0 && state[i-1] == '0' {
				return true
			}
		}
	}
	return false
}

// brokenPosition reports whether line holds a source position broken
// mid-way: ".go:" (or ".s:") followed by anything but a line number, as
// in "main.go:/work/main/x.go:12" where two outputs mixed. (A log line
// "main.go:12: message" is whole.)
func brokenPosition(line string) bool {
	for _, ext := range []string{".go:", ".s:"} {
		rest := line
		for {
			i := strings.Index(rest, ext)
			if i < 0 {
				break
			}
			rest = rest[i+len(ext):]
			if rest == "" || rest[0] < '0' || rest[0] > '9' {
				return true
			}
		}
	}
	return false
}

// isElided reports whether line is the runtime's marker for frames left
// out of a deep stack: "...12 frames elided..." or
// "...additional frames elided...", possibly indented.
func isElided(line string) bool {
	if line == "" || line[0] != '.' && line[0] != ' ' && line[0] != '\t' {
		return false // the common case, a function line
	}
	line = strings.TrimLeft(line, " \t")
	return strings.HasPrefix(line, "...") && strings.HasSuffix(line, " frames elided...")
}

// trimLineEnds removes the line ends and empty lines at the end of a
// block, leaving every line's content as cutLine reads it: a last line
// "x\r\r\n" keeps one '\r'.
func trimLineEnds(s string) string {
	for {
		switch {
		case strings.HasSuffix(s, "\n"):
			s = s[:len(s)-1]
		case strings.HasSuffix(s, "\n\r"):
			s = s[:len(s)-2] // an empty line, CRLF-terminated
		case strings.HasSuffix(s, "\r") && !strings.HasSuffix(s, "\r\r"):
			return s[:len(s)-1]
		default:
			return s
		}
	}
}

// nextPosition takes the tab-indented position line that follows a
// function line, if there is one, returning it without the tab.
func nextPosition(rest string) (loc, remaining string) {
	if !strings.HasPrefix(rest, "\t") {
		return "", rest
	}
	loc, remaining = cutLine(rest)
	return loc[1:], remaining
}

// parseHeader parses a header line such as
//
//	goroutine 19 [chan send (leaked), 3 minutes, locked to thread]:
//	goroutine 19 [select labels:{"k": "v"}]:                    (go1.26)
//	goroutine 19 [select] {k: v}:                               (go1.27)
//	goroutine 19 gp=0xc000007c00 m=nil [select]:                (GOTRACEBACK=system)
//
// It expects a line accepted by isHeader. An ID too large for uint64 is
// left zero; a status that cannot be found is "unknown".
func parseHeader(g *Goroutine, line string) {
	line = strings.TrimSuffix(line[len("goroutine "):], ":")
	idText, rest, _ := strings.Cut(line, " ")
	g.ID = parseID(idText)

	open := strings.IndexByte(rest, '[')
	if open < 0 {
		g.State = "unknown"
		return
	}
	end := closingBracket(rest, open)
	status := rest[open+1 : end]
	if i := strings.Index(status, " labels:{"); i >= 0 {
		// go1.26: the labels are inside the brackets, always quoted.
		g.Labels = parseLabels(strings.TrimSuffix(status[i+len(" labels:{"):], "}"))
		status = status[:i]
	} else if end < len(rest) {
		// go1.27: the labels follow the brackets.
		if after := strings.TrimLeft(rest[end+1:], " "); strings.HasPrefix(after, "{") {
			g.Labels = parseLabels(strings.TrimSuffix(after[1:], "}"))
		}
	}

	state, decorations, _ := strings.Cut(status, ", ")
	for {
		switch {
		case strings.HasSuffix(state, " (durable)"):
			g.durable = true
			state = state[:len(state)-len(" (durable)")]
			continue
		case strings.HasSuffix(state, " (scan)"):
			state = state[:len(state)-len(" (scan)")]
			continue
		case strings.HasSuffix(state, " (leaked)"):
			g.Proven = true
			state = state[:len(state)-len(" (leaked)")]
			continue
		}
		break
	}
	if state == "" {
		state = "unknown"
	}
	if garbledState(state) {
		g.garbled++
	}
	g.State = state
	for decorations != "" {
		var d string
		d, decorations, _ = strings.Cut(decorations, ", ")
		switch {
		case strings.HasSuffix(d, " minutes"):
			// The runtime prints whole minutes, "1 minutes" included.
			if m, err := strconv.ParseInt(strings.TrimSuffix(d, " minutes"), 10, 64); err == nil && m > 0 && m <= maxWaitMinutes {
				g.Wait = time.Duration(m) * time.Minute
			}
		case d == "locked to thread":
			g.LockedToThread = true
		case strings.HasPrefix(d, "synctest bubble "):
			g.bubble = parseID(d[len("synctest bubble "):])
		}
	}
}

// parseID parses a goroutine or bubble ID, returning 0 (unknown) for
// anything but a decimal number that fits in uint64. (strconv.ParseUint
// alone would return the maximum value for one that is too large.)
func parseID(s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// maxWaitMinutes keeps a garbled wait time from overflowing
// time.Duration.
const maxWaitMinutes = int64(1<<63-1) / int64(time.Minute)

// closingBracket returns the index of the ']' that closes the '[' at open,
// skipping quoted label text, or len(s) when there is none.
func closingBracket(s string, open int) int {
	inQuote := false
	for i := open + 1; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ']':
			return i
		}
	}
	return len(s)
}

// parseLabels parses the inside of a label set in either runtime format:
// `"k": "v", "k2": "v2"` (go1.26, always quoted) or `k: v, k2: "v 2"`
// (go1.27, quoted only where needed, so an empty value is printed as
// nothing: `k: , k2: v`). Quoted strings use Go escapes. It returns nil
// for an empty set.
func parseLabels(s string) map[string]string {
	if s == "" {
		return nil
	}
	labels := make(map[string]string)
	for s != "" {
		key, rest := labelToken(s, ':')
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
		value, rest := labelToken(rest, ',')
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, ","), " ")
		labels[key] = value
		if len(rest) >= len(s) {
			break // no progress: garbage the loop cannot consume
		}
		s = rest
	}
	return labels
}

// labelToken reads a quoted string, or bare text up to stop.
func labelToken(s string, stop byte) (token, rest string) {
	if !strings.HasPrefix(s, `"`) {
		if i := strings.IndexByte(s, stop); i >= 0 {
			return s[:i], s[i:]
		}
		return s, ""
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			// Unquote returns a substring, without allocating, when
			// there is nothing to unescape.
			if v, err := strconv.Unquote(s[:i+1]); err == nil {
				return v, s[i+1:]
			}
			return s[1:i], s[i+1:]
		}
	}
	// No closing quote: the line was cut short.
	return s[1:], ""
}

// functionName strips the argument list from a frame line such as
// "net/http.(*conn).serve(0xc000120000, {0x7d2a08, 0xc0000a4000})".
// Arguments never contain parentheses, so the list starts at the '('
// matching the final ')'.
func functionName(line string) string {
	if !strings.HasSuffix(line, ")") {
		return line
	}
	depth := 0
	for i := len(line) - 1; i > 0; i-- {
		switch line[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return line[:i]
			}
		}
	}
	return line
}

// parseFileLine parses a position: "/src/x.go:12 +0x1d", "/src/x.go:12"
// for inlined frames, possibly followed by " fp=... sp=... pc=..." under
// GOTRACEBACK=system. Without a valid line number it returns the whole
// text as the file and line 0.
func parseFileLine(loc string) (file string, line int) {
	if i := strings.Index(loc, " +0x"); i >= 0 {
		loc = loc[:i]
	} else if i := strings.Index(loc, " fp="); i >= 0 {
		loc = loc[:i]
	}
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0
	}
	n, err := strconv.Atoi(loc[i+1:])
	if err != nil || n < 0 {
		return loc, 0
	}
	return loc[:i], n
}
