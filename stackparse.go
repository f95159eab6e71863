package leakcheck

import (
	"strconv"
	"strings"
	"time"
)

// parseDump parses the text of runtime.Stack(buf, true) into goroutines,
// in dump order. It never fails: a line it does not understand stays in
// the goroutine's Stack text, and every "goroutine N [...]" header yields
// a goroutine, even when its stack is garbled.
//
// All strings in the result are substrings of dump, so parsing allocates
// little: the goroutine slice, one shared frame array, and a map for each
// goroutine that has labels.
func parseDump(dump string) []Goroutine {
	n := strings.Count(dump, "\ngoroutine ") + 1
	gs := make([]Goroutine, 0, n)
	frames := make([]Frame, 0, strings.Count(dump, "\n\t"))
	for len(dump) > 0 {
		block := dump
		if i := strings.Index(dump, "\n\ngoroutine "); i >= 0 {
			block, dump = dump[:i+1], dump[i+2:]
		} else {
			dump = ""
		}
		if !strings.HasPrefix(block, "goroutine ") {
			// Text before the first header: nothing to attach it to.
			continue
		}
		var g Goroutine
		frames = parseBlock(&g, block, frames)
		gs = append(gs, g)
	}
	return gs
}

// parseBlock fills g from one goroutine's block of the dump, appending its
// frames to frames and returning the extended slice.
func parseBlock(g *Goroutine, block string, frames []Frame) []Frame {
	g.Stack = strings.TrimRight(block, "\n")
	header, rest, _ := strings.Cut(block, "\n")
	parseHeader(g, header)

	start := len(frames)
	inAncestor := false
	for len(rest) > 0 {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "\t"):
			// A file line with no function line before it: skip.
			continue
		case strings.HasPrefix(line, "created by "):
			var loc string
			loc, rest = nextFileLine(rest)
			if inAncestor {
				continue
			}
			fn, parent, _ := strings.Cut(line[len("created by "):], " in goroutine ")
			g.CreatedBy.Function = fn
			g.CreatedBy.File, g.CreatedBy.Line = parseFileLine(loc)
			g.ParentID, _ = strconv.ParseUint(parent, 10, 64)
		case strings.HasPrefix(line, "[originating from goroutine "):
			inAncestor = true
			id := strings.TrimSuffix(line[len("[originating from goroutine "):], "]:")
			if v, err := strconv.ParseUint(id, 10, 64); err == nil {
				g.Ancestors = append(g.Ancestors, v)
			}
		case strings.HasPrefix(line, "...") && strings.HasSuffix(line, "frames elided..."):
			if inAncestor {
				continue
			}
			count := strings.TrimSuffix(strings.TrimPrefix(line, "..."), " frames elided...")
			if v, err := strconv.Atoi(count); err == nil {
				g.ElidedFrames += v
			} else {
				g.ElidedFrames++ // "...additional frames elided..."
			}
		default:
			var loc string
			loc, rest = nextFileLine(rest)
			if inAncestor {
				continue
			}
			f := Frame{Function: functionName(line)}
			f.File, f.Line = parseFileLine(loc)
			frames = append(frames, f)
		}
	}
	g.Frames = frames[start:len(frames):len(frames)]
	if len(g.Frames) == 0 {
		g.Frames = nil
	}
	return frames
}

// nextFileLine takes the tab-indented position line that follows a
// function line, if there is one.
func nextFileLine(rest string) (loc, remaining string) {
	if !strings.HasPrefix(rest, "\t") {
		return "", rest
	}
	loc, remaining, _ = strings.Cut(rest, "\n")
	return loc[1:], remaining
}

// parseHeader parses a line such as
//
//	goroutine 19 [chan send (leaked), 3 minutes, locked to thread]:
//	goroutine 19 [select labels:{"k": "v"}]:                    (go1.26)
//	goroutine 19 [select] {k: v}:                               (go1.27)
//	goroutine 19 gp=0xc000007c00 m=nil [select]:                (GOTRACEBACK=system)
func parseHeader(g *Goroutine, line string) {
	line = strings.TrimSuffix(line[len("goroutine "):], ":")
	idText, rest, _ := strings.Cut(line, " ")
	g.ID, _ = strconv.ParseUint(idText, 10, 64)

	open := strings.IndexByte(rest, '[')
	if open < 0 {
		g.State = "unknown"
		return
	}
	end := closingBracket(rest, open)
	status := rest[open+1 : end]
	after := ""
	if end < len(rest) {
		after = strings.TrimSpace(rest[end+1:])
	}
	if i := strings.Index(status, " labels:{"); i >= 0 {
		g.Labels = parseLabels(strings.TrimSuffix(status[i+len(" labels:{"):], "}"))
		status = status[:i]
	}
	if strings.HasPrefix(after, "{") {
		g.Labels = parseLabels(strings.TrimSuffix(after[1:], "}"))
	}

	state, decorations, _ := strings.Cut(status, ", ")
	for {
		switch {
		case strings.HasSuffix(state, " (durable)"):
			g.Durable = true
			state = state[:len(state)-len(" (durable)")]
			continue
		case strings.HasSuffix(state, " (scan)"):
			state = state[:len(state)-len(" (scan)")]
			continue
		case strings.HasSuffix(state, " (leaked)"):
			g.Leaked = true
			state = state[:len(state)-len(" (leaked)")]
			continue
		}
		break
	}
	if state == "" {
		state = "unknown"
	}
	g.State = state
	for decorations != "" {
		var d string
		d, decorations, _ = strings.Cut(decorations, ", ")
		switch {
		case strings.HasSuffix(d, " minutes"):
			if m, err := strconv.ParseInt(strings.TrimSuffix(d, " minutes"), 10, 64); err == nil && m > 0 {
				g.Wait = time.Duration(m) * time.Minute
			}
		case d == "locked to thread":
			g.LockedToThread = true
		case strings.HasPrefix(d, "synctest bubble "):
			g.Bubble, _ = strconv.ParseUint(d[len("synctest bubble "):], 10, 64)
		}
	}
}

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
// (go1.27, quoted only where needed).
func parseLabels(s string) map[string]string {
	labels := make(map[string]string)
	for s != "" {
		var key, value string
		key, s = labelToken(s, ':')
		s = strings.TrimPrefix(strings.TrimPrefix(s, ":"), " ")
		value, s = labelToken(s, ',')
		s = strings.TrimPrefix(strings.TrimPrefix(s, ","), " ")
		if key == "" && value == "" {
			break
		}
		labels[key] = value
	}
	return labels
}

// labelToken reads a quoted string, or bare text up to stop.
func labelToken(s string, stop byte) (token, rest string) {
	if strings.HasPrefix(s, `"`) {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				if v, err := strconv.Unquote(s[:i+1]); err == nil {
					return v, s[i+1:]
				}
				return s[1:i], s[i+1:]
			}
		}
		return s[1:], ""
	}
	if i := strings.IndexByte(s, stop); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// functionName strips the argument list from a frame line such as
// "net/http.(*conn).serve(0xc000120000, {0x7d2a08, 0xc0000a4000})".
func functionName(line string) string {
	if !strings.HasSuffix(line, ")") {
		return line
	}
	depth := 0
	for i := len(line) - 1; i >= 0; i-- {
		switch line[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if i == 0 {
					return line
				}
				return line[:i]
			}
		}
	}
	return line
}

// parseFileLine parses "/src/x.go:12 +0x1d" (possibly followed by
// " fp=... sp=... pc=..." under GOTRACEBACK=system).
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
	if err != nil {
		return loc, 0
	}
	return loc[:i], n
}
