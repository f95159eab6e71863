package htmlreport

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The browser tests open pages in headless Chromium (the Debian package
// chromium; .ci/run installs it and sets LEAKCHECK_REQUIRE_BROWSER=1, so
// that CI fails rather than skips without it). LEAKCHECK_SCREENSHOTS=DIR
// keeps the screenshots, to look at them.

// browserTimeout bounds one Chromium run: it starts in a second or two on
// a quiet machine, much longer on a loaded one.
const browserTimeout = 3 * time.Minute

// chromium returns the path of the browser, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("LEAKCHECK_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on PATH, and LEAKCHECK_REQUIRE_BROWSER is set")
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// browse runs headless Chromium on url with args (--dump-dom,
// --screenshot=...) and returns its standard output.
func browse(t *testing.T, url string, args ...string) string {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	profile := t.TempDir() // a profile of its own: runs never share state
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = profile
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	return stdout.String()
}

func TestBrowserRendersTheCharts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	page := write(t, fleetReport(60, 7*24*60*4, 15*time.Second)) // a week at 15 s
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))

	dom := browse(t, "file://"+file, "--dump-dom")
	// The DOM the browser built holds every chart, each with its line.
	assert.Equal(t, 2+48, strings.Count(dom, `<svg class="chart"`), "a chart per flagged series, small ones for the first ok ones")
	paths := regexp.MustCompile(`<path class="data"[^>]* d="M[0-9]`).FindAllString(dom, -1)
	assert.Len(t, paths, 2+48, "each chart has its line")
	assert.Equal(t, 3+1, strings.Count(dom, `class="trend"`))
	assert.Contains(t, dom, "chan send in main.compute")

	shot := filepath.Join(dir, "report.png")
	browse(t, "file://"+file, "--screenshot="+shot, "--hide-scrollbars")
	checkScreenshot(t, shot, "fleet-report.png")
}

// checkScreenshot checks that a screenshot is a picture with something
// drawn in it, and keeps it where LEAKCHECK_SCREENSHOTS says.
func checkScreenshot(t *testing.T, file, name string) {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 1280, img.Bounds().Dx())
	colours := map[uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|b>>11] = true
		}
	}
	assert.Greater(t, len(colours), 20, "a page with charts in colour, not a blank one")
	if dir := os.Getenv("LEAKCHECK_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
}
