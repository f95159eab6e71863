package htmlreport

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserRendersTheCharts opens a page of a week of a fleet in
// headless Chromium (see package browsertest).
func TestBrowserRendersTheCharts(t *testing.T) {
	browsertest.Chromium(t)
	file := filepath.Join(t.TempDir(), "report.html")
	page := write(t, fleetReport(maxSmallCharts, 7*24*60*4, 15*time.Second)) // a week at 15 s
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))

	dom := browsertest.DOM(t, "file://"+file)
	// The DOM the browser built holds every chart, each with its line.
	assert.Equal(t, 2+maxSmallCharts, strings.Count(dom, `<svg class="chart"`), "a chart per flagged series, small ones for the first ok ones")
	paths := regexp.MustCompile(`<path class="data"[^>]* d="M[0-9]`).FindAllString(dom, -1)
	assert.Len(t, paths, 2+maxSmallCharts, "each chart has its line")
	assert.Equal(t, 3+1, strings.Count(dom, `class="trend"`))
	assert.Contains(t, dom, "chan send in main.compute")

	browsertest.Screenshot(t, "file://"+file, 2600, "fleet-report.png")
}
