package web

import (
	"strings"
	"testing"

	"github.com/townhall/townhall/insights"
)

func TestInsightsFormats(t *testing.T) {
	for _, tc := range []struct {
		s          float64
		long, axis string
	}{
		{45, "45 s", "45s"}, {720, "12 min", "12m"}, {5 * 3600, "5 h", "5h"}, {5.3 * 3600, "5.3 h", "5.3h"},
		{3 * 86400, "3 days", "3d"}, {0, "0 s", "0"},
	} {
		if got := duration(tc.s); got != tc.long {
			t.Errorf("duration(%v) = %q, want %q", tc.s, got, tc.long)
		}
		if got := shortDuration(tc.s); got != tc.axis {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.s, got, tc.axis)
		}
	}
	v := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		k    insights.Kind
		v    *float64
		want string
	}{
		{insights.KindCount, v(315548), "315,548"}, {insights.KindShare, v(0.333), "33%"}, {insights.KindShare, v(0.042), "4.2%"},
		{insights.KindFloat, v(3.46), "3.5"}, {insights.KindSeconds, v(7200), "2 h"}, {insights.KindCount, nil, "–"},
	} {
		if got := formatValue(tc.k, tc.v); got != tc.want {
			t.Errorf("formatValue(%v, %v) = %q, want %q", tc.k, deref(tc.v), got, tc.want)
		}
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// TestAxisSteps: grid lines fall on numbers people count in.
func TestAxisSteps(t *testing.T) {
	for _, tc := range []struct {
		raw, count, dur float64
	}{{0.5, 1, 1}, {2.2, 3, 5}, {13, 20, 15}, {1000, 1000, 1800}, {4000, 5000, 7200}, {70000, 100000, 86400}} {
		if got := countStep(tc.raw); got != tc.count {
			t.Errorf("countStep(%v) = %v, want %v", tc.raw, got, tc.count)
		}
		if got := durationStep(tc.raw); got != tc.dur {
			t.Errorf("durationStep(%v) = %v, want %v", tc.raw, got, tc.dur)
		}
	}
	c := svgChart{Kind: "bars", Labels: []string{"a", "b"}, Nice: countStep, Series: []svgSeries{{Values: []*float64{ptr(3), ptr(7)}}}}
	if top, step := c.scale(); top != 8 || step != 2 {
		t.Errorf("scale of 3 and 7 = %v by %v, want 8 by 2", top, step)
	}
}

func ptr(v float64) *float64 { return &v }

// TestTilesCompare: the change against the period before, coloured by
// whether it is better (a falling waiting time is).
func TestTilesCompare(t *testing.T) {
	for _, tc := range []struct {
		f             insights.Figure
		change, class string
	}{
		{insights.Figure{Kind: insights.KindCount, Value: ptr(12), Previous: ptr(10)}, "+20%", "change-good"},
		{insights.Figure{Kind: insights.KindSeconds, Value: ptr(120), Previous: ptr(60), LowerIsBetter: true}, "+100%", "change-bad"},
		{insights.Figure{Kind: insights.KindShare, Value: ptr(0.5), Previous: ptr(0.25)}, "+25 pts", "change-good"},
		{insights.Figure{Kind: insights.KindCount, Value: ptr(3), Previous: ptr(0)}, "new", "change-good"},
		{insights.Figure{Kind: insights.KindCount, Value: ptr(4), Previous: ptr(4)}, "no change", "change-flat"},
		{insights.Figure{Kind: insights.KindCount, Value: ptr(4)}, "", "change-flat"},
	} {
		got := newTile(tc.f)
		if got.Change != tc.change || got.Class != tc.class {
			t.Errorf("%+v: %q %s, want %q %s", tc.f, got.Change, got.Class, tc.change, tc.class)
		}
	}
}

// TestChartsEscapeWhatPeopleWrote: names and titles reach the SVG escaped.
func TestChartsEscapeWhatPeopleWrote(t *testing.T) {
	evil := `<script>alert(1)</script>"x`
	for _, kind := range []string{"hbar", "bars", "line"} {
		c := svgChart{ID: "c", Kind: kind, Title: evil, Desc: evil, Labels: []string{evil}, Format: func(float64) string { return evil },
			Series: []svgSeries{{Label: evil, Class: "s1", Values: []*float64{ptr(1)}}}}
		out := string(c.render())
		if strings.Contains(out, "<script>") || strings.Contains(out, `"x,`) || !strings.Contains(out, `data-tip="&lt;script&gt;`) {
			t.Errorf("%s chart lets markup through: %s", kind, out)
		}
		if !strings.Contains(out, `role="img"`) || !strings.Contains(out, `aria-labelledby="c-title c-desc"`) {
			t.Errorf("%s chart is not a labelled image: %s", kind, out)
		}
	}
}
