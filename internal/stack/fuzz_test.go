package stack

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseDump checks the parser's guarantees on any input: it does not
// panic, it yields exactly one goroutine per header line, in order, each
// goroutine's Stack parses back to the same goroutine, and no frame
// spans lines.
//
//	go test -run '^$' -fuzz FuzzParseDump -fuzztime 3m .
func FuzzParseDump(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "dumps", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		dump := string(b)
		f.Add(dump)
		// Mutations the runtime or a caller could plausibly produce: a
		// buffer that was too small, other line ends, lost blank lines.
		f.Add(dump[:len(dump)/2])
		f.Add(dump[:(len(dump)+2)/3])
		f.Add(strings.ReplaceAll(dump, "\n", "\r\n"))
		f.Add(strings.ReplaceAll(dump, "\n\n", "\n"))
		f.Add(strings.ReplaceAll(dump, "\t", ""))
	}
	f.Add("goroutine 1 [")
	f.Add("goroutine 1 [running]:\n\t")
	f.Add("goroutine 1 [running]:\ncreated by ")
	f.Add("goroutine 1 [running]:\n[originating from goroutine ")
	f.Add("goroutine 1 [running]:\n...")
	f.Add("goroutine 1 [x labels:{\"a\\\": \"b\"}]:\n")
	f.Add("goroutine 1 [x] {\"a\": \"\\\"}\n")
	f.Add("goroutine 1 [x]:\nf()\r\r\n")

	f.Fuzz(func(t *testing.T, dump string) {
		gs := Parse(dump)

		want := headerIDs(dump)
		if len(gs) != len(want) {
			t.Fatalf("parsed %d goroutines, the dump has %d header lines", len(gs), len(want))
		}
		for i, g := range gs {
			if g.ID != want[i] {
				t.Fatalf("goroutine %d: ID %d, header says %d", i, g.ID, want[i])
			}
			if g.State == "" {
				t.Errorf("goroutine %d: empty State", g.ID)
			}
			for _, f := range g.Frames {
				if f.Function == "" || strings.ContainsAny(f.Function, "\n") || strings.ContainsAny(f.File, "\n") {
					t.Errorf("goroutine %d: bad frame %q", g.ID, f)
				}
			}
			if strings.Contains(g.CreatedBy.Function, "\n") {
				t.Errorf("goroutine %d: bad creator %q", g.ID, g.CreatedBy)
			}
			if g.ElidedFrames < 0 || g.Wait < 0 {
				t.Errorf("goroutine %d: negative count", g.ID)
			}

			// Round trip: a goroutine's block, alone, is the same
			// goroutine.
			again := Parse(g.Stack)
			if len(again) != 1 {
				t.Fatalf("goroutine %d: its Stack parses to %d goroutines:\n%s", g.ID, len(again), g.Stack)
			}
			if !sameGoroutine(g, again[0]) {
				t.Fatalf("goroutine %d: round trip differs:\n%#v\n%#v", g.ID, g, again[0])
			}
		}
	})
}

// sameGoroutine compares goroutines field by field; reflect.DeepEqual
// would do, but a field-by-field error tells a fuzz failure at a glance.
func sameGoroutine(a, b Goroutine) bool {
	if a.ID != b.ID || a.State != b.State || a.Wait != b.Wait || a.Proven != b.Proven ||
		a.durable != b.durable || a.LockedToThread != b.LockedToThread || a.bubble != b.bubble ||
		a.ElidedFrames != b.ElidedFrames || a.CreatedBy != b.CreatedBy || a.ParentID != b.ParentID ||
		a.Stack != b.Stack || len(a.Frames) != len(b.Frames) || len(a.Labels) != len(b.Labels) ||
		(a.Labels == nil) != (b.Labels == nil) || len(a.Ancestors) != len(b.Ancestors) {
		return false
	}
	for i := range a.Frames {
		if a.Frames[i] != b.Frames[i] {
			return false
		}
	}
	for k, v := range a.Labels {
		if w, ok := b.Labels[k]; !ok || w != v {
			return false
		}
	}
	for i := range a.Ancestors {
		if a.Ancestors[i] != b.Ancestors[i] {
			return false
		}
	}
	return true
}

// FuzzParseLabels formats a label set as each runtime release prints it
// in a goroutine header and checks that the parser reads back the same
// labels and state.
func FuzzParseLabels(f *testing.F) {
	f.Add("k", "v", "k2", "v2")
	f.Add("with space", "a b  c", "x", "")
	f.Add(`quote"key`, `say "hi" \ back\slash`, "tab\tnl", "line1\nline2\r")
	f.Add("ключ", "日本語 ✓", "emoji", "🙂")
	f.Add("k]", "v]:", "br}", "{x}")
	f.Add("a, b", "c: d, e", "x", "y, z: w")
	f.Add("", "", "plain", "ok.v1/x_y")
	f.Add("bad", "\xff\xfe", "ctl", "\x00\x7f\u0080\ufffd")
	f.Add(`\`, `"`, `\"`, `" labels:{`)

	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		parseLabels(k1) // arbitrary text must not panic

		labels := map[string]string{k1: v1, k2: v2}
		// go1.26 prints through printquoted, which reads the string
		// rune by rune: each invalid byte becomes U+FFFD.
		valid := make(map[string]string)
		for k, v := range labels {
			valid[string([]rune(k))] = string([]rune(v))
		}
		if len(valid) != len(labels) {
			t.Skip("two keys that differ only in invalid UTF-8")
		}

		header := "goroutine 19 [chan receive, 2 minutes labels:{" + formatLabels(valid, quote126, true) + "}]:"
		checkLabelHeader(t, header, valid)

		header = "goroutine 19 [chan receive, 2 minutes] {" + formatLabels(labels, quote127, false) + "}:"
		checkLabelHeader(t, header, labels)
	})
}

func checkLabelHeader(t *testing.T, header string, want map[string]string) {
	t.Helper()
	gs := Parse(header + "\nmain.f()\n\t/x.go:1 +0x1\n")
	if len(gs) != 1 {
		t.Fatalf("%s: %d goroutines", header, len(gs))
	}
	g := gs[0]
	if g.State != "chan receive" || g.Wait.Minutes() != 2 || g.ID != 19 {
		t.Errorf("%s: State %q, Wait %v, ID %d", header, g.State, g.Wait, g.ID)
	}
	if len(g.Labels) != len(want) {
		t.Fatalf("%s: labels %q, want %q", header, g.Labels, want)
	}
	for k, v := range want {
		if got, ok := g.Labels[k]; !ok || got != v {
			t.Fatalf("%s: labels %q, want %q", header, g.Labels, want)
		}
	}
	if len(g.Frames) != 1 || g.Frames[0] != (Frame{"main.f", "/x.go", 1}) {
		t.Errorf("%s: frames %v", header, g.Frames)
	}
}

// formatLabels prints labels sorted by key, as the runtime's label sets
// are; go1.26 quotes every string, go1.27 only those with characters
// outside [A-Za-z0-9./_].
func formatLabels(labels map[string]string, quote func(string) string, always bool) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	q := func(s string) string {
		if always || needsQuoting(s) {
			return quote(s)
		}
		return s
	}
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q(k) + ": " + q(labels[k]))
	}
	return b.String()
}

func needsQuoting(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '/' || r == '_') {
			return true
		}
	}
	return false
}

// quote126 quotes like the go1.26 runtime: \n, \r, \t, \\ and \" escaped,
// printable ASCII as is, other runes as \xXX, \uXXXX or \UXXXXXXXX.
func quote126(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		writeQuotedRune(&b, r)
	}
	b.WriteByte('"')
	return b.String()
}

// quote127 is quote126 except that an invalid UTF-8 byte is written as
// \xXX rather than as the replacement character.
func quote127(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteString(`\x` + hexDigits(uint64(s[i]), 2))
				continue
			}
		}
		writeQuotedRune(&b, r)
	}
	b.WriteByte('"')
	return b.String()
}

func writeQuotedRune(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r == '\\' || r == '"':
		b.WriteByte('\\')
		b.WriteRune(r)
	case ' ' <= r && r <= '~':
		b.WriteRune(r)
	case r < 127:
		b.WriteString(`\x` + hexDigits(uint64(r), 2))
	case r < 0x10000:
		b.WriteString(`\u` + hexDigits(uint64(r), 4))
	default:
		b.WriteString(`\U` + hexDigits(uint64(r), 8))
	}
}

// hexDigits formats v in lower-case hex, zero-padded to width digits.
func hexDigits(v uint64, width int) string {
	s := strconv.FormatUint(v, 16)
	return strings.Repeat("0", width-len(s)) + s
}
