// Package browsertest opens pages in headless Chromium for the tests of
// the command's pictures: the DOM the browser built, and screenshots.
//
// Without Chromium on PATH (the Debian package chromium) the tests that
// need it skip, unless LEAKCHECK_REQUIRE_BROWSER is set, as .ci/run sets
// it: then they fail. LEAKCHECK_SCREENSHOTS=DIR keeps the screenshots, to
// look at them.
package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// timeout bounds one Chromium run: it starts in a second or two on a
// quiet machine, much longer on a loaded one.
const timeout = 3 * time.Minute

// Width is the width of the browser's window, in pixels.
const Width = 1280

// Chromium returns the path of the browser, or skips the test.
func Chromium(t testing.TB) string {
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

// run runs headless Chromium on url with args and returns its standard
// output.
func run(t testing.TB, url string, height int, args ...string) string {
	t.Helper()
	bin := Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	profile := t.TempDir() // a profile of its own: runs never share state
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
		"--window-size=" + itoa(Width) + "," + itoa(height)}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = profile
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return stdout.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// DOM returns the DOM of the page at url once the browser has loaded it
// (and run its scripts), serialized.
func DOM(t testing.TB, url string) string {
	t.Helper()
	return run(t, url, 900, "--dump-dom")
}

// Screenshot takes a screenshot of the page at url, Width by height
// pixels, checks that something in colour is drawn in it, keeps it in
// LEAKCHECK_SCREENSHOTS as name when that is set, and returns the PNG.
func Screenshot(t testing.TB, url string, height int, name string) []byte {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	run(t, url, height, "--screenshot="+file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	if img.Bounds().Dx() != Width {
		t.Errorf("screenshot of %s is %d pixels wide, want %d", url, img.Bounds().Dx(), Width)
	}
	colours := map[uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|b>>11] = true
		}
	}
	if len(colours) <= 20 {
		t.Errorf("screenshot of %s: %d colours, a blank page?", url, len(colours))
	}
	if dir := os.Getenv("LEAKCHECK_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b
}
