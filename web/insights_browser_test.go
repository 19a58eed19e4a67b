package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/seed"
)

// colorScheme makes the page see prefers-color-scheme as scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// contrastJS measures, as WCAG does, the contrast of the charts' axis text
// and first line against the chart's card.
const contrastJS = `(() => {
  const rgb = c => (c.match(/[\d.]+/g) || [0, 0, 0]).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const card = lum(rgb(getComputedStyle(document.querySelector(".chart-card")).backgroundColor));
  const tick = lum(rgb(getComputedStyle(document.querySelector("svg.chart .tick")).fill));
  const line = lum(rgb(getComputedStyle(document.querySelector("svg.chart .line.s1 polyline")).stroke));
  return {card: card, text: ratio(tick, card), line: ratio(line, card)};
})()`

// screenshotDir is where the screenshots go: TOWNHALL_SCREENSHOTS when
// set (to look at them), the test's temporary directory otherwise.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("TOWNHALL_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowserInsights opens /insights on two years of generated history as
// the product team, on a desktop and at a phone's 390 px, in light and dark
// mode: the charts are drawn, readable (contrast) and fit the screen, the
// tooltip and the table view work, and a screenshot of each is saved.
func TestBrowserInsights(t *testing.T) {
	env := apptest.Start(t, apptest.EmbeddedStore("two years of history come from the bulk loader in a second; through the services they take minutes"))
	if _, err := seed.Scale(context.Background(), env.App, seed.ScaleOptions{Threads: 400, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	refreshInsights(t, env)
	ctx := apptest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/signin"),
		chromedp.WaitVisible(chromedp.ID("dev-name")),
		chromedp.SendKeys(chromedp.ID("dev-name"), "Pat Product"),
		chromedp.SetValue(chromedp.ID("dev-role"), "product"),
		chromedp.Submit(chromedp.ID("dev-name")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
		chromedp.Click(chromedp.CSS(`.account a[href="/insights"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-activity svg.chart`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	dir := screenshotDir(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	step(t, "every chart is an accessible image with a text alternative", func(t *testing.T) {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => {
			const all = [...document.querySelectorAll("svg.chart")];
			return {all: all.length, labelled: all.filter(s => s.getAttribute("role") === "img" && s.querySelector("title") &&
				s.querySelector("desc").textContent.length > 20).length};
		})()`))
		if err != nil || n["all"] < 10 || n["labelled"] != n["all"] {
			t.Fatalf("%d of %d charts have a role, a title and a description (%v); want every chart, at least 10", n["labelled"], n["all"], err)
		}
		summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="summary-threads"]`)))
		if err != nil || !strings.Contains(summary, "Threads:") || !strings.Contains(summary, "before") {
			t.Errorf("threads summary %q (%v)", summary, err)
		}
	})

	step(t, "hovering a bar shows its value; the table view opens", func(t *testing.T) {
		tip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const bar = document.querySelector("#chart-threads svg.chart [data-tip]");
			bar.dispatchEvent(new PointerEvent("pointerover", {bubbles: true}));
			const tip = document.querySelector("#chart-threads .chart-tip");
			return tip && !tip.hidden ? tip.textContent : "";
		})()`))
		if err != nil || !strings.Contains(tip, "Threads:") {
			t.Errorf("tooltip %q (%v)", tip, err)
		}
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#chart-threads details.chart-table summary`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="table-threads"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
	})

	type contrast struct {
		Card, Text, Line float64
	}
	measure := func(t *testing.T) contrast {
		t.Helper()
		c, err := chromedp.Run(ctx, chromedp.Evaluate[contrast](contrastJS))
		if err != nil {
			t.Fatal(err)
		}
		if c.Text < 4.5 || c.Line < 3 {
			t.Errorf("contrast against the card: text %.1f (want 4.5), line %.1f (want 3)", c.Text, c.Line)
		}
		return c
	}
	step(t, "light mode on a desktop", func(t *testing.T) {
		if c := measure(t); c.Card < 0.8 {
			t.Errorf("card luminance %.2f: not a light page", c.Card)
		}
		shot("insights-desktop-light.png")
	})
	step(t, "dark mode on a desktop", func(t *testing.T) {
		if err := chromedp.Do(ctx, colorScheme("dark"), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#chart-activity svg.chart`))); err != nil {
			t.Fatal(err)
		}
		if c := measure(t); c.Card > 0.05 {
			t.Errorf("card luminance %.2f in dark mode: not dark", c.Card)
		}
		shot("insights-desktop-dark.png")
	})
	for _, scheme := range []string{"dark", "light"} {
		step(t, scheme+" mode at phone width", func(t *testing.T) {
			if err := chromedp.Do(ctx, colorScheme(scheme), chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
				chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#chart-activity svg.chart`))); err != nil {
				t.Fatal(err)
			}
			fit, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`({
				page: document.documentElement.scrollWidth,
				widest: Math.max(...[...document.querySelectorAll("svg.chart, .tile, .chart-card")].map(e => e.getBoundingClientRect().right)),
				tick: Math.min(...[...document.querySelectorAll("svg.chart .tick:not(.alt)")].slice(0, 20).map(e => e.getBoundingClientRect().height)),
			})`))
			if err != nil {
				t.Fatal(err)
			}
			if fit["page"] > 390 || fit["widest"] > 390 {
				t.Errorf("at 390 px the page is %v px wide and its widest chart ends at %v", fit["page"], fit["widest"])
			}
			if fit["tick"] < 9 {
				t.Errorf("axis text is %v px high at phone width; want at least 9", fit["tick"])
			}
			measure(t)
			shot("insights-phone-" + scheme + ".png")
		})
	}
}
