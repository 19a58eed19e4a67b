package apptest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser; .ci/run installs Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("TOWNHALL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium with a fresh profile for this test and
// returns a tab context that times out after a minute. There is no skip:
// browser tests are part of the suite, so a missing browser fails them.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatal("no Chromium found: install Debian's chromium package (see .ci/run) or set TOWNHALL_CHROMIUM")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// Chromium makes a socket directory under TMPDIR that it does not
		// remove; inside the test's own directory it goes with the test.
		chromedp.Env("TMPDIR=" + t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1200, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return ctx
}

// BrowserSignIn signs the browser in through the dev-login form.
func (e *Env) BrowserSignIn(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/signin"),
		chromedp.WaitVisible(chromedp.ID("dev-name")),
		chromedp.SendKeys(chromedp.ID("dev-name"), name),
		chromedp.Submit(chromedp.ID("dev-name")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
	if err != nil {
		t.Fatalf("browser sign-in as %s: %v", name, err)
	}
}

// BrowserSignOut signs the browser out with the button in the header's
// account menu.
func (e *Env) BrowserSignOut(t testing.TB, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.user-menu summary`)),
		chromedp.Click(chromedp.CSS(`form[action="/auth/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/signin"]`)),
	)
	if err != nil {
		t.Fatalf("browser sign-out: %v", err)
	}
}
