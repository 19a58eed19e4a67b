package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The insights' charts are drawn here as SVG, on the server: no script or
// library draws them, so they show without JavaScript and in any browser.
// Each is role="img" with a <title> and a <desc> (the text alternative),
// colours come from classes (static/insights.css, with a dark palette),
// and every bar or point carries its value in a <title> (the browser's
// tooltip) and in data-tip, which static/insights.js shows on hover.

// svgSeries is one line or one set of bars.
type svgSeries struct {
	Label  string
	Class  string     // s1…s5: the palette colour
	Values []*float64 // nil: nothing to measure there
	Dashed bool       // the period before
}

// svgChart is what one chart draws.
type svgChart struct {
	ID, Title, Desc string
	Kind            string   // "line", "bars", "stack" or "hbar"
	Labels          []string // x labels (hbar: the row labels)
	Series          []svgSeries
	Format          func(float64) string  // tooltip values
	Axis            func(float64) string  // axis labels; nil: Format
	Max             float64               // a fixed top of the scale (1 for shares); 0: from the data
	Step            float64               // the grid step with a fixed Max; 0: a quarter of it
	Nice            func(float64) float64 // rounds a raw grid step up; nil: 1, 2, 2.5 or 5 times a power of ten
}

const (
	svgW, svgH                       = 480.0, 220.0
	padL, padR, padT, padB           = 52.0, 8.0, 12.0, 30.0
	hbarRow, hbarLabel, hbarPadRight = 30.0, 150.0, 56.0
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// niceStep rounds a grid step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// countStep is a grid step for whole numbers: 1, 2, 5, 10, 20, 25, 50...
func countStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	s := niceStep(v)
	if s < 10 && s != math.Trunc(s) {
		s = math.Ceil(s)
	}
	return s
}

// durationSteps are grid steps for durations a person reads easily.
var durationSteps = []float64{1, 5, 15, 30, 60, 5 * 60, 15 * 60, 30 * 60, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 60 * 86400, 90 * 86400, 180 * 86400, 365 * 86400}

func durationStep(v float64) float64 {
	for _, s := range durationSteps {
		if v <= s {
			return s
		}
	}
	return niceStep(v)
}

// scale is the top of the y axis and its grid step.
func (c svgChart) scale() (top, step float64) {
	if c.Max > 0 {
		if c.Step > 0 {
			return c.Max, c.Step
		}
		return c.Max, c.Max / 4
	}
	hi := 0.0
	if c.Kind == "stack" {
		for i := range c.Labels {
			sum := 0.0
			for _, s := range c.Series {
				if i < len(s.Values) && s.Values[i] != nil {
					sum += *s.Values[i]
				}
			}
			hi = max(hi, sum)
		}
	} else {
		for _, s := range c.Series {
			for _, v := range s.Values {
				if v != nil {
					hi = max(hi, *v)
				}
			}
		}
	}
	nice := c.Nice
	if nice == nil {
		nice = niceStep
	}
	step = nice(max(hi, 1e-9) / 4)
	return max(step, math.Ceil(hi/step-1e-9)*step), step
}

// render draws the chart.
func (c svgChart) render() template.HTML {
	if c.Kind == "hbar" {
		return c.renderHBar()
	}
	var b strings.Builder
	titleID, descID := c.ID+"-title", c.ID+"-desc"
	fmt.Fprintf(&b, `<svg class="chart chart-%s" viewBox="0 0 %g %g" role="img" aria-labelledby="%s %s" preserveAspectRatio="xMidYMid meet">`,
		esc(c.Kind), svgW, svgH, titleID, descID)
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, titleID, esc(c.Title), descID, esc(c.Desc))
	top, gridStep := c.scale()
	plotW, plotH := svgW-padL-padR, svgH-padT-padB
	y := func(v float64) float64 { return padT + plotH - v/top*plotH }
	// Grid and y axis, one line per step.
	b.WriteString(`<g class="axis">`)
	for i := 0; float64(i)*gridStep <= top*(1+1e-9); i++ {
		v := float64(i) * gridStep
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, padL, svgW-padR, y(v), y(v))
		axis := c.Axis
		if axis == nil {
			axis = c.Format
		}
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end">%s</text>`, padL-6, y(v)+4, esc(axis(v)))
	}
	n := len(c.Labels)
	step := plotW / float64(max(n, 1))
	x := func(i int) float64 { return padL + step*(float64(i)+0.5) }
	// At most seven labels; on a phone every other one (class alt) hides.
	every := max(1, int(math.Ceil(float64(n)/7)))
	for i, l := range c.Labels {
		if i%every == 0 {
			cls := "tick"
			if (i/every)%2 == 1 {
				cls += " alt"
			}
			fmt.Fprintf(&b, `<text class="%s" x="%.1f" y="%g" text-anchor="middle">%s</text>`, cls, x(i), svgH-padB+18, esc(l))
		}
	}
	b.WriteString(`</g>`)
	tip := func(i int, s svgSeries, v float64) string {
		return fmt.Sprintf("%s, %s: %s", c.Labels[i], s.Label, c.Format(v))
	}
	switch c.Kind {
	case "bars":
		var solid []svgSeries
		for _, s := range c.Series {
			if !s.Dashed {
				solid = append(solid, s)
			}
		}
		bw := step * 0.8 / float64(max(len(solid), 1))
		for k, s := range solid {
			fmt.Fprintf(&b, `<g class="bars %s">`, esc(s.Class))
			for i, v := range s.Values {
				if v == nil || i >= n {
					continue
				}
				x0 := x(i) - step*0.4 + bw*float64(k)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-tip="%s"><title>%s</title></rect>`,
					x0, y(*v), max(bw-1, 1), y(0)-y(*v), esc(tip(i, s, *v)), esc(tip(i, s, *v)))
			}
			b.WriteString(`</g>`)
		}
		for _, s := range c.Series {
			if s.Dashed {
				c.line(&b, s, x, y, tip)
			}
		}
	case "stack":
		base := make([]float64, n)
		for _, s := range c.Series {
			fmt.Fprintf(&b, `<g class="bars %s">`, esc(s.Class))
			for i, v := range s.Values {
				if v == nil || i >= n || *v == 0 {
					continue
				}
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-tip="%s"><title>%s</title></rect>`,
					x(i)-step*0.4, y(base[i]+*v), step*0.8, y(base[i])-y(base[i]+*v), esc(tip(i, s, *v)), esc(tip(i, s, *v)))
				base[i] += *v
			}
			b.WriteString(`</g>`)
		}
	default: // line
		for _, s := range c.Series {
			c.line(&b, s, x, y, tip)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// line draws a series as a polyline, broken where there is no value, with
// a dot per value.
func (c svgChart) line(b *strings.Builder, s svgSeries, x func(int) float64, y func(float64) float64, tip func(int, svgSeries, float64) string) {
	cls := "line " + s.Class
	if s.Dashed {
		cls += " previous"
	}
	fmt.Fprintf(b, `<g class="%s">`, esc(cls))
	var pts []string
	flush := func() {
		if len(pts) > 1 {
			fmt.Fprintf(b, `<polyline points="%s"/>`, strings.Join(pts, " "))
		}
		pts = nil
	}
	for i, v := range s.Values {
		if v == nil || i >= len(c.Labels) {
			flush()
			continue
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(*v)))
	}
	flush()
	for i, v := range s.Values {
		if v == nil || i >= len(c.Labels) {
			continue
		}
		r := 3.0
		if s.Dashed {
			r = 2
		}
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%g" data-tip="%s"><title>%s</title></circle>`, x(i), y(*v), r, esc(tip(i, s, *v)), esc(tip(i, s, *v)))
	}
	b.WriteString(`</g>`)
}

// renderHBar draws one horizontal bar per label; a dashed series is drawn
// as an outline behind (the period before).
func (c svgChart) renderHBar() template.HTML {
	var b strings.Builder
	n := len(c.Labels)
	h := padT + hbarRow*float64(max(n, 1)) + 8
	titleID, descID := c.ID+"-title", c.ID+"-desc"
	fmt.Fprintf(&b, `<svg class="chart chart-hbar" viewBox="0 0 %g %g" role="img" aria-labelledby="%s %s" preserveAspectRatio="xMidYMid meet">`, svgW, h, titleID, descID)
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, titleID, esc(c.Title), descID, esc(c.Desc))
	top, _ := c.scale()
	plotW := svgW - hbarLabel - hbarPadRight
	w := func(v float64) float64 { return v / top * plotW }
	for i, l := range c.Labels {
		y0 := padT + hbarRow*float64(i)
		label := l
		if r := []rune(label); len(r) > 17 {
			label = string(r[:16]) + "…"
		}
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end">%s</text>`, hbarLabel-8, y0+hbarRow/2+4, esc(label))
		for _, s := range c.Series {
			if i >= len(s.Values) || s.Values[i] == nil {
				continue
			}
			v := *s.Values[i]
			t := fmt.Sprintf("%s, %s: %s", l, s.Label, c.Format(v))
			if s.Dashed {
				fmt.Fprintf(&b, `<rect class="outline" x="%g" y="%.1f" width="%.1f" height="%g" data-tip="%s"><title>%s</title></rect>`,
					hbarLabel, y0+3, max(w(v), 1), hbarRow-6, esc(t), esc(t))
				continue
			}
			fmt.Fprintf(&b, `<g class="bars %s"><rect x="%g" y="%.1f" width="%.1f" height="%g" data-tip="%s"><title>%s</title></rect></g>`,
				esc(s.Class), hbarLabel, y0+7, max(w(v), 1), hbarRow-14, esc(t), esc(t))
			fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%s</text>`, hbarLabel+w(v)+6, y0+hbarRow/2+4, esc(c.Format(v)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
