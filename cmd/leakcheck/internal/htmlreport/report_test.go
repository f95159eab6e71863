package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// start is the start of the fixtures' series: a fixed time, so that a
// failing test shows the same page again.
var start = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// fleetSeries makes a series of n samples a step apart, in the shapes a
// fleet shows: count(i) gives the value of sample i (NaN for a missed
// scrape).
func fleetSeries(name, verdict string, n int, step time.Duration, count func(i int) float64) Series {
	s := Series{Name: name, Verdict: verdict, Step: step}
	for i := range n {
		s.Points = append(s.Points, Point{start.Add(time.Duration(i) * step), count(i)})
	}
	return s
}

// fleetReport is a report with the shapes the fleet command draws: a leak
// reset by restarts, a slow leak, a step change at a deploy, a bursty
// instance with gaps, and steady ones.
func fleetReport(steady int, n int, step time.Duration) Report {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func(sd float64) float64 { return rng.NormFloat64() * sd }
	life := n / 3
	restarting := fleetSeries("api 10.0.0.7:9100", VerdictLeak, n, step, func(i int) float64 {
		return 40 + float64(i%life)*0.05 + noise(2)
	})
	for l := 0; l < 3; l++ {
		from, to := start.Add(time.Duration(l*life)*step), start.Add(time.Duration((l+1)*life-1)*step)
		restarting.Trends = append(restarting.Trends, Line{Point{from, 40}, Point{to, 40 + float64(life-1)*0.05}})
		if l > 0 {
			restarting.Marks = append(restarting.Marks, Mark{from, "restart"})
		}
	}
	restarting.Note = "+" + formatCount(0.05*float64(time.Hour/step)) + "/h in each of 3 lives; proven leaked"
	slow := fleetSeries("api 10.0.0.9:9100", VerdictSuspect, n, step, func(i int) float64 {
		return 60 + float64(i)*0.004 + noise(3)
	})
	slow.Trends = []Line{{Point{start, 60}, Point{start.Add(time.Duration(n-1) * step), 60 + float64(n-1)*0.004}}}
	slow.Note = "+1/h over the window"
	deploy := fleetSeries("web 10.0.1.3:9100", VerdictOK, n, step, func(i int) float64 {
		if i > n/2 {
			return 120 + noise(4)
		}
		return 80 + noise(4)
	})
	deploy.Marks = []Mark{{start.Add(time.Duration(n/2) * step), "deploy"}}
	deploy.Note = "a step at a deploy, flat before and after"
	bursty := fleetSeries("batch 10.0.2.1:9100", VerdictOK, n, step, func(i int) float64 {
		if i%(n/7) > n/7-n/40 {
			return math.NaN() // scrapes failed
		}
		if rng.IntN(50) == 0 {
			return 300 + noise(40)
		}
		return 30 + noise(5)
	})
	bursty.Note = "bursts and failed scrapes"
	r := Report{
		Title:     "leakcheck fleet: go_goroutines over 7d",
		Generated: start.Add(time.Duration(n) * step),
		Summary: []string{
			"2 of 4 jobs have instances that grow: api (2 of 3 instances)",
			"read 1,004 series at a 15s step in 4 requests",
		},
		Series: []Series{deploy, restarting, bursty, slow},
		Kinds: []Kind{{
			Verdict: VerdictLeak,
			Title:   "chan send in main.compute",
			Summary: "grows on 2 of 3 instances of job api, +40/h each, proven leaked on 1",
			Stack:   "goroutine 1 [chan send]:\nmain.compute(...)\n\t/src/api/main.go:42 +0x1d\ncreated by main.serve in goroutine 7\n\t/src/api/main.go:30 +0x5a",
			Links:   []Link{{"10.0.0.7 goroutine profile", "http://10.0.0.7:9100/debug/pprof/goroutine?debug=1"}},
		}},
		Links: []Link{{"Prometheus", "http://127.0.0.1:9090/graph"}},
	}
	for i := range steady {
		r.Series = append(r.Series, fleetSeries("worker 10.1."+itoa(i/250)+"."+itoa(i%250)+":9100", VerdictOK, n, step, func(int) float64 {
			return 25 + noise(3)
		}))
	}
	return r
}

func itoa(i int) string { return formatCount(float64(i)) }

func write(t testing.TB, r Report) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Write(&b, r))
	return b.String()
}

func TestWriteOrdersFlaggedFirstAndCounts(t *testing.T) {
	page := write(t, fleetReport(3, 500, 15*time.Second))
	assert.Contains(t, page, `<span class="leak">1 leak</span><span class="suspect">1 suspect</span><span class="ok">5 ok</span>`)
	leak := strings.Index(page, "api 10.0.0.7:9100")
	suspect := strings.Index(page, "api 10.0.0.9:9100")
	deploy := strings.Index(page, "web 10.0.1.3:9100")
	kinds := strings.Index(page, `id="kinds"`)
	require.True(t, leak > 0 && suspect > 0 && deploy > 0 && kinds > 0)
	assert.Less(t, leak, suspect, "leaks before suspects")
	assert.Less(t, suspect, kinds, "flagged charts before the kinds")
	assert.Less(t, kinds, deploy, "the kinds before the series judged ok")
	assert.Contains(t, page, "Flagged: 2 series")
	assert.Contains(t, page, `href="http://10.0.0.7:9100/debug/pprof/goroutine?debug=1"`)
}

// charts returns the SVG charts of a page, each checked to be well-formed
// XML.
func charts(t *testing.T, page string) []string {
	t.Helper()
	svgs := regexp.MustCompile(`(?s)<svg class="chart".*?</svg>`).FindAllString(page, -1)
	for _, svg := range svgs {
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "a chart is not well-formed:\n%s", svg)
		}
	}
	return svgs
}

func TestChartDrawsMarksTrendsAndGaps(t *testing.T) {
	r := fleetReport(0, 700, 15*time.Second)
	page := write(t, r)
	svgs := charts(t, page)
	require.Len(t, svgs, 4)
	byName := map[string]string{}
	for i, s := range []string{"api 10.0.0.7:9100", "api 10.0.0.9:9100", "web 10.0.1.3:9100", "batch 10.0.2.1:9100"} {
		byName[s] = svgs[i]
		assert.Contains(t, svgs[i], "goroutines of "+s)
	}
	leak := byName["api 10.0.0.7:9100"]
	assert.Equal(t, 3, strings.Count(leak, `class="trend"`), "one trend per life")
	assert.Equal(t, 2, strings.Count(leak, `>restart</text>`), "the restarts, labelled")
	assert.Contains(t, leak, `stroke="#c62828" stroke-width="2.5" stroke-dasharray`, "the trend in the leak's colour")
	assert.Equal(t, 1, strings.Count(byName["web 10.0.1.3:9100"], `stroke="#00897b"`), "the deploy in its colour")
	// The bursty series misses scrapes six times: its line has 7 parts;
	// the others are unbroken.
	moves := func(svg string) int {
		d := regexp.MustCompile(`class="data"[^>]* d="([^"]*)"`).FindStringSubmatch(svg)
		require.NotNil(t, d)
		return strings.Count(d[1], "M")
	}
	assert.Equal(t, 7, moves(byName["batch 10.0.2.1:9100"]))
	assert.Equal(t, 1, moves(leak))
	// Times in UTC on the axis.
	assert.Contains(t, leak, ">00:30</text>")
}

func TestSegmentsBreakAtGapsAndMissingValues(t *testing.T) {
	at := func(sec int, v float64) Point { return Point{start.Add(time.Duration(sec) * time.Second), v} }
	points := []Point{at(0, 1), at(10, 2), at(21, 3), at(40, 4), at(50, math.NaN()), at(60, 5), at(70, 6)}
	segs := segments(points, 10*time.Second)
	require.Len(t, segs, 3)
	assert.Equal(t, points[0:3], segs[0], "11s apart at a 10s step is jitter, not a gap")
	assert.Equal(t, points[3:4], segs[1], "19s apart is a gap; NaN ends the run")
	assert.Equal(t, points[5:7], segs[2])
	assert.Equal(t, 10*time.Second, step(Series{Points: points}), "the median interval")
}

func TestDownsampleKeepsWhatThePixelsShow(t *testing.T) {
	// A week at 15 s: 40,320 points, with one spike and one dip.
	const n = 7 * 24 * 60 * 4
	seg := make([]Point, n)
	for i := range seg {
		seg[i] = Point{start.Add(time.Duration(i) * 15 * time.Second), 100 + float64(i%7)}
	}
	seg[12345].V, seg[30000].V = 5000, -3
	cols := int(bigChart.width - bigChart.left - bigChart.right)
	out := downsample(seg, seg[0].T, seg[n-1].T, cols)
	assert.LessOrEqual(t, len(out), 4*cols)
	assert.Greater(t, len(out), cols, "each column keeps its extremes")
	assert.Contains(t, out, seg[12345], "the spike")
	assert.Contains(t, out, seg[30000], "the dip")
	assert.Equal(t, seg[0], out[0])
	assert.Equal(t, seg[n-1], out[len(out)-1])
	for i := 1; i < len(out); i++ {
		require.True(t, out[i].T.After(out[i-1].T), "in time order")
	}
}

func TestWriteStaysLightForAThousandSeries(t *testing.T) {
	// 1,004 series of a day at 1 min (1,440 points each), 2 flagged.
	page := write(t, fleetReport(1000, 1440, time.Minute))
	assert.Len(t, charts(t, page), 2+maxSmallCharts)
	assert.Equal(t, 1004-2-maxSmallCharts, strings.Count(page, `<td class="name">worker `), "the rest as rows")
	assert.Less(t, len(page), 2<<20, "under 2 MiB")
	t.Logf("page of 1,004 series: %d KiB", len(page)>>10)
}

func TestWriteEscapesEverything(t *testing.T) {
	evil := `<script>alert(1)</script>"'&`
	r := Report{
		Title:   evil,
		Summary: []string{evil},
		Series: []Series{{
			Name: evil, Verdict: evil, Note: evil,
			Points: []Point{{start, 1}, {start.Add(time.Minute), 2}},
			Marks:  []Mark{{start.Add(30 * time.Second), evil}},
		}, {Name: evil, Verdict: VerdictLeak, Points: []Point{{start, 1}, {start.Add(time.Minute), 2}}, Marks: []Mark{{start, evil}}}},
		Kinds: []Kind{{Verdict: evil, Title: evil, Summary: evil, Stack: evil, Links: []Link{{evil, "javascript:alert(1)"}, {"x", evil}}}},
		Links: []Link{{evil, `http://x/"><script>alert(1)</script>`}},
	}
	page := write(t, r)
	assert.NotContains(t, page, "<script")
	assert.NotContains(t, page, `href="javascript:`)
	assert.Contains(t, page, "javascript:alert(1)", "an unsafe link is shown, as text")
	charts(t, page)
}

func TestWriteWithoutData(t *testing.T) {
	page := write(t, Report{Title: "empty", Series: []Series{{Name: "none"}, {Name: "nan", Points: []Point{{start, math.NaN()}}}}})
	svgs := charts(t, page)
	require.Len(t, svgs, 2)
	assert.Contains(t, svgs[0], "no data")
	assert.NotContains(t, page, "NaN")
	page = write(t, Report{})
	assert.Contains(t, page, "</html>")
}

func TestTicks(t *testing.T) {
	assert.Equal(t, []float64{0, 20, 40, 60, 80, 100}, niceTicks(0, 95, 5))
	assert.Equal(t, []float64{0, 1, 2, 3}, niceTicks(0, 2.5, 5), "counts are whole: no ticks at fractions")
	ticks := timeTicks(start.Add(-90*time.Minute), start.Add(90*time.Minute), 9)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.label)
	}
	assert.Equal(t, []string{"22:30", "23:00", "23:30", "Nov 30 00:00", "00:30", "01:00", "01:30"}, labels, "the date where the day changes")
	week := timeTicks(start, start.Add(7*24*time.Hour), 9)
	assert.Equal(t, "Dec 1", week[1].label)
}

// FuzzWrite writes pages of hostile text: the page must keep it text.
func FuzzWrite(f *testing.F) {
	f.Add("api 10.0.0.7:9100", "restart", "chan send", "http://x/", 3.0)
	f.Add(`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "]]><!--", "javascript:alert(1)", math.NaN())
	f.Add("\x00\xff</svg>", "&amp;", "{{.Title}}", "//evil.example/", math.Inf(1))
	// Each text is put between two private-use runes: whatever the page
	// shows between them must be escaped text, with no markup character.
	between := regexp.MustCompile("\ue000[^\ue001…]*")
	f.Fuzz(func(t *testing.T, name, label, title, url string, v float64) {
		name, label, title = "\ue000"+name+"\ue001", "\ue000"+label+"\ue001", "\ue000"+title+"\ue001"
		r := Report{
			Title: title, Summary: []string{name},
			Series: []Series{
				{Name: name, Verdict: label, Note: title, Points: []Point{{start, v}, {start.Add(time.Second), 1}, {start.Add(time.Hour), v}},
					Marks: []Mark{{start.Add(time.Minute), label}}, Trends: []Line{{Point{start, v}, Point{start.Add(time.Hour), 2}}}},
				{Name: label, Verdict: VerdictLeak, Points: []Point{{start, 1}}},
			},
			Overview: []Series{{Name: title, Points: []Point{{start, v}}}},
			Kinds:    []Kind{{Verdict: label, Title: title, Summary: name, Stack: label, Links: []Link{{name, url}}}},
			Links:    []Link{{label, url}},
		}
		var b bytes.Buffer
		require.NoError(t, Write(&b, r))
		page := b.String()
		texts := between.FindAllString(page, -1)
		require.NotEmpty(t, texts)
		for _, text := range texts {
			require.False(t, strings.ContainsAny(text, `<>"'`), "text left unescaped: %q", text)
		}
		assert.NotContains(t, page, "NaN")
		charts(t, page)
	})
}

// BenchmarkWriteWeekOfFleet writes the page of a fleet of 1,000
// instances over a week at a 15 s step (40,320 points a series): 18
// flagged, drawn large, and 982 judged ok, 48 drawn small and the rest
// as rows. The ok series share one slice of points: what Write does with
// a series does not depend on it.
func BenchmarkWriteWeekOfFleet(b *testing.B) {
	const n = 7 * 24 * 60 * 4
	r := fleetReport(1, n, 15*time.Second)
	steady := r.Series[len(r.Series)-1]
	r.Series = r.Series[:len(r.Series)-1]
	for len(r.Series) < 20 { // 18 flagged, 2 ok
		s := r.Series[3] // the slow leak
		s.Name += fmt.Sprintf(" #%d", len(r.Series))
		r.Series = append(r.Series, s)
	}
	for i := 0; len(r.Series) < 1000; i++ {
		s := steady
		s.Name = fmt.Sprintf("worker 10.1.%d.%d:9100", i/250, i%250)
		r.Series = append(r.Series, s)
	}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var w countingWriter
		if err := Write(&w, r); err != nil {
			b.Fatal(err)
		}
		size = int(w)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/page")
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
