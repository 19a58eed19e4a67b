package web

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/insights"
)

// insightsPage is /insights: every figure of the period against the
// period before, by section, each chart with a text alternative, a table
// view and its CSV.
func (s *Server) insightsPage(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	r, err := s.insightsReport(c)
	if err != nil {
		return err
	}
	v := s.view(c, "Insights")
	v.Nav = "insights"
	v.Data = newInsightsView(r)
	return s.html(c, 200, "insights", v)
}

// insightsView is what templates/pages/insights.html shows.
type insightsView struct {
	R                    *insights.Report
	Periods              []insightsLink
	Range, Before        string
	Updated              string
	Segment              string // the segment filter's value
	HeadlineCSV, JSONURL string
	Sections             []insightsSection
}

type insightsLink struct {
	Label, URL string
	Current    bool
}

type insightsSection struct {
	ID, Title, Intro string
	Tiles            []insightsTile
	Charts           []*insightsChart
}

type insightsTile struct {
	Label, Value, Before, Change string
	Class                        string // change-good, change-bad, change-flat
	Arrow                        string
}

type insightsChart struct {
	Key, Title, Intro string
	SVGs              []template.HTML
	Summary           string
	Table             insightsTable
	CSV, JSON         string
	Heat              bool // the table is the chart (cohorts)
	Open              bool // the table is shown beside the chart
	Empty             bool
	Products          bool // offers the product filter
	Legend            []insightsLegend
	LegendClass       string
}

type insightsLegend struct {
	Label, Class string
	Dashed       bool
}

type insightsTable struct {
	Head []string
	Num  []bool
	Rows [][]insightsCell
}

type insightsCell struct {
	Text, Link, Class string
}

var sectionTitles = []struct{ id, title, intro string }{
	{insights.SectionHealth, "Community health", "Who comes, who asks and who answers."},
	{insights.SectionCreation, "Co-creation", "What customers propose and vote for, and how the team answers."},
	{insights.SectionReviews, "Reviews", "What customers say about the products."},
	{insights.SectionSegments, "Relationship by segment", "How each customer segment takes part, and who comes back."},
}

// chartDefs say how each table is drawn.
var chartDefs = map[string]struct {
	kind    string   // line, bars, stack, hbar, heat, table
	series  []string // columns drawn
	label   string   // hbar: the column naming each bar
	compare bool     // draw the period before, dashed
	small   bool     // one chart per series (their scales differ)
	open    bool     // the table is shown, not folded away
	levels  []string // counts that are levels, not flows: summarized by their range
	max     float64
	intro   string
}{
	"activity":         {kind: "line", series: []string{"active_members", "weekly_active", "monthly_active"}, compare: true, levels: []string{"weekly_active", "monthly_active"}, intro: "Members who visited: each day, and in the 7 and 30 days up to it."},
	"threads":          {kind: "bars", series: []string{"threads", "replies"}, compare: true, small: true},
	"first-reply":      {kind: "line", series: []string{"median_first_reply_seconds", "p90_first_reply_seconds"}, compare: true, intro: "From a thread's start to the first reply by someone else, for threads started then."},
	"solved":           {kind: "line", series: []string{"solved_share"}, compare: true, max: 1, intro: "Questions (threads in Q&A categories) with an accepted answer, by when they were asked."},
	"contributors":     {kind: "hbar", series: []string{"score"}, label: "name", intro: "Replies written in the period; an accepted answer counts 3 more."},
	"ideas":            {kind: "bars", series: []string{"ideas_proposed", "votes"}, compare: true, small: true},
	"first-response":   {kind: "line", series: []string{"median_first_response_seconds", "p90_first_response_seconds"}, compare: true, intro: "From an idea's proposal to the team's first status change or comment, for ideas proposed then."},
	"funnel":           {kind: "hbar", series: []string{"ideas"}, label: "status", compare: true, intro: "The ideas proposed in the period, by how far they got (outlines: the period before). Time in status counts the moves made in the period."},
	"shipped":          {kind: "table", intro: "Ideas moved to done in the period, with the customers who voted for them."},
	"demand":           {kind: "table", intro: "Open ideas with the most votes from each segment."},
	"ratings":          {kind: "stack", series: []string{"stars_1", "stars_2", "stars_3", "stars_4", "stars_5"}, intro: "Reviews by stars (bar height is the volume), and the average rating."},
	"review-responses": {kind: "line", series: []string{"answered_share"}, compare: true, max: 1, intro: "Reviews with a business response, by when the review was written."},
	"lowest-reviews":   {kind: "table", intro: "The lowest ratings written in the period."},
	"segments":         {kind: "hbar", series: []string{"active_share"}, label: "segment", compare: true, max: 1, open: true, intro: "Share of each segment's members who visited in the period (outlines: the period before)."},
	"cohorts":          {kind: "heat", intro: "Members who joined in a month, and the share of them who came back in each of the six months after."},
}

func newInsightsView(r *insights.Report) *insightsView {
	v := &insightsView{R: r, JSONURL: "/api/v1/insights?" + insightsParams(r, ""), HeadlineCSV: "/api/v1/insights.csv?" + insightsParams(r, "")}
	for _, p := range insights.Periods {
		q := *r
		q.Period = p
		v.Periods = append(v.Periods, insightsLink{Label: p.Label(), URL: "/insights?" + insightsParams(&q, ""), Current: p == r.Period})
	}
	v.Range = dayRange(r.From, r.To)
	v.Before = dayRange(r.PrevFrom, r.PrevTo)
	if !r.Updated.IsZero() {
		loc, err := time.LoadLocation(r.Zone)
		if err != nil {
			loc = time.UTC
		}
		v.Updated = r.Updated.In(loc).Format("2 Jan 2006 15:04 MST")
	}
	if r.Segment != nil {
		v.Segment = r.Segment.ID
		if r.Segment.ID == "" {
			v.Segment = insights.NoSegment
		}
	}
	for _, sec := range sectionTitles {
		out := insightsSection{ID: sec.id, Title: sec.title, Intro: sec.intro}
		for _, f := range r.Figures {
			if f.Section == sec.id {
				out.Tiles = append(out.Tiles, newTile(f))
			}
		}
		for _, t := range r.Tables {
			if t.Section == sec.id {
				out.Charts = append(out.Charts, newInsightsChart(r, t))
			}
		}
		v.Sections = append(v.Sections, out)
	}
	return v
}

func dayRange(from, to string) string {
	a, _ := time.Parse(time.DateOnly, from)
	b, _ := time.Parse(time.DateOnly, to)
	if a.Year() == b.Year() {
		return a.Format("2 Jan") + " – " + b.Format("2 Jan 2006")
	}
	return a.Format("2 Jan 2006") + " – " + b.Format("2 Jan 2006")
}

// formatValue writes a figure for people.
func formatValue(k insights.Kind, v *float64) string {
	if v == nil {
		return "–"
	}
	x := *v
	switch k {
	case insights.KindCount:
		return thousands(int(math.Round(x)))
	case insights.KindFloat:
		if x >= 1000 {
			return thousands(int(math.Round(x)))
		}
		return fmt.Sprintf("%.1f", x)
	case insights.KindShare:
		if x > 0 && x < 0.1 {
			return fmt.Sprintf("%.1f%%", x*100)
		}
		return fmt.Sprintf("%.0f%%", x*100)
	case insights.KindSeconds:
		return duration(x)
	}
	return fmt.Sprint(x)
}

// duration writes seconds the way people say them: 45 s, 12 min, 5.2 h,
// 3.1 days.
func duration(s float64) string {
	switch {
	case s < 90:
		return fmt.Sprintf("%.0f s", s)
	case s < 90*60:
		return fmt.Sprintf("%.0f min", s/60)
	case s < 48*3600:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", s/3600), ".0") + " h"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", s/86400), ".0") + " days"
}

// shortDuration is a duration on an axis: 45s, 12m, 5h, 3d.
func shortDuration(s float64) string {
	switch {
	case s == 0:
		return "0"
	case s < 90:
		return fmt.Sprintf("%.0fs", s)
	case s < 90*60:
		return fmt.Sprintf("%.0fm", s/60)
	case s < 48*3600:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", s/3600), ".0") + "h"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", s/86400), ".0") + "d"
}

func newTile(f insights.Figure) insightsTile {
	t := insightsTile{Label: f.Label, Value: formatValue(f.Kind, f.Value), Class: "change-flat"}
	if f.Previous == nil {
		t.Before = "nothing to compare with"
		return t
	}
	t.Before = "before: " + formatValue(f.Kind, f.Previous)
	if f.Value == nil {
		return t
	}
	cur, prev := *f.Value, *f.Previous
	diff := cur - prev
	switch {
	case f.Kind == insights.KindShare:
		t.Change = fmt.Sprintf("%+.0f pts", diff*100)
	case prev == 0 && cur == 0:
		t.Change = "no change"
	case prev == 0:
		t.Change = "new"
	default:
		t.Change = fmt.Sprintf("%+.0f%%", diff/math.Abs(prev)*100)
	}
	if math.Abs(diff) < 1e-9 || t.Change == "+0%" || t.Change == "-0%" || t.Change == "+0 pts" || t.Change == "-0 pts" {
		t.Change, t.Arrow = "no change", "→"
		return t
	}
	better := diff > 0 != f.LowerIsBetter
	t.Arrow = "▲"
	if diff < 0 {
		t.Arrow = "▼"
	}
	t.Class = "change-bad"
	if better {
		t.Class = "change-good"
	}
	return t
}

func cellNum(v any) *float64 {
	if f, ok := v.(float64); ok {
		return &f
	}
	return nil
}

func cellText(k insights.Kind, v any) string {
	switch x := v.(type) {
	case string:
		if k == insights.KindDate {
			return dateLabel(x, true)
		}
		return x
	case float64:
		return formatValue(k, &x)
	}
	return "–"
}

// dateLabel writes a day ("4 Dec 2026") or a month ("Dec 2026").
func dateLabel(s string, year bool) string {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if year {
			return t.Format("2 Jan 2006")
		}
		return t.Format("2 Jan")
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format("Jan 2006")
	}
	return s
}

func newInsightsChart(r *insights.Report, t *insights.Table) *insightsChart {
	def := chartDefs[t.Key]
	ch := &insightsChart{Key: t.Key, Title: t.Title, Intro: def.intro, Heat: def.kind == "heat", Empty: len(t.Rows) == 0, Open: def.open,
		CSV: "/api/v1/insights.csv?" + insightsParams(r, t.Key), JSON: "/api/v1/insights/" + t.Key + "?" + insightsParams(r, ""),
		Products: t.Key == "ratings"}
	ch.Table = tableView(t, def.kind == "heat")
	ch.LegendClass = "legend-" + def.kind
	if ch.Empty || def.kind == "table" || def.kind == "heat" {
		ch.Summary = tableSummary(t)
		return ch
	}
	timed := t.Col("from") >= 0
	if !anyValue(t, def.series) {
		ch.SVGs, ch.Summary = nil, t.Title+": nothing in this period."
		return ch
	}
	var labels []string
	if timed {
		for _, row := range t.Rows {
			labels = append(labels, dateLabel(row[t.Col("from")].(string), false))
		}
	} else {
		for _, row := range t.Rows {
			labels = append(labels, fmt.Sprint(row[t.Col(def.label)]))
		}
	}
	column := func(rows [][]any, key string) []*float64 {
		out := make([]*float64, len(rows))
		for i, row := range rows {
			out[i] = cellNum(row[t.Col(key)])
		}
		return out
	}
	kindOf := func(key string) insights.Kind { return t.Columns[t.Col(key)].Kind }
	mk := func(id string, keys []string) svgChart {
		k := kindOf(keys[0])
		c := svgChart{ID: "chart-" + id, Kind: def.kind, Labels: labels, Max: def.max, Format: func(v float64) string { return formatValue(k, &v) }}
		switch k {
		case insights.KindSeconds:
			c.Axis, c.Nice = shortDuration, durationStep
		case insights.KindCount:
			c.Nice = countStep
		case insights.KindFloat:
			c.Axis = func(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }
		}
		var names []string
		for i, key := range keys {
			col := t.Columns[t.Col(key)]
			names = append(names, strings.ToLower(col.Label))
			c.Series = append(c.Series, svgSeries{Label: col.Label, Class: fmt.Sprintf("s%d", i+1), Values: column(t.Rows, key)})
		}
		if def.compare && t.Prev != nil && len(t.Prev) == len(t.Rows) {
			col := t.Columns[t.Col(keys[0])]
			c.Series = append(c.Series, svgSeries{Label: col.Label + ", period before", Class: "s1", Values: column(t.Prev, keys[0]), Dashed: true})
		}
		c.Title = t.Title
		if len(keys) == 1 && len(def.series) > 1 {
			c.Title = t.Columns[t.Col(keys[0])].Label
		}
		c.Desc = seriesSummary(r, t, keys, timed)
		return c
	}
	if def.small {
		for _, key := range def.series {
			c := mk(t.Key+"-"+key, []string{key})
			ch.SVGs = append(ch.SVGs, c.render())
			if len(ch.Legend) == 0 && len(c.Series) > 1 {
				ch.Legend = []insightsLegend{{Label: "This period", Class: "s1"}, {Label: "The period before", Class: "s1", Dashed: true}}
			}
		}
	} else {
		c := mk(t.Key, def.series)
		ch.SVGs = append(ch.SVGs, c.render())
		if len(c.Series) > 1 {
			for _, sr := range c.Series {
				ch.Legend = append(ch.Legend, insightsLegend{Label: sr.Label, Class: sr.Class, Dashed: sr.Dashed})
			}
		}
	}
	if t.Key == "ratings" {
		avg := mk(t.Key+"-average", []string{"rating_average"})
		avg.Kind, avg.Max, avg.Step = "line", 5, 1
		ch.SVGs = append(ch.SVGs, avg.render())
	}
	var parts []string
	for _, key := range def.series {
		parts = append(parts, seriesSummary(r, t, []string{key}, timed))
	}
	if t.Key == "ratings" {
		parts = append([]string{seriesSummary(r, t, []string{"reviews"}, true)}, seriesSummary(r, t, []string{"rating_average"}, true))
	}
	ch.Summary = strings.Join(parts, " ")
	return ch
}

// anyValue reports whether any of the columns has a value other than 0 in
// the period or the one before: otherwise there is nothing to draw.
func anyValue(t *insights.Table, keys []string) bool {
	for _, rows := range [][][]any{t.Rows, t.Prev} {
		for _, row := range rows {
			for _, k := range keys {
				if v := cellNum(row[t.Col(k)]); v != nil && *v != 0 {
					return true
				}
			}
		}
	}
	return false
}

// seriesSummary is a chart's text alternative for one or more columns:
// for counts the total against the period before and the busiest bucket,
// for rates and times their range.
func seriesSummary(r *insights.Report, t *insights.Table, keys []string, timed bool) string {
	var out []string
	for _, key := range keys {
		col := t.Columns[t.Col(key)]
		label := col.Label
		if !timed {
			var items []string
			for i, row := range t.Rows {
				item := fmt.Sprint(row[t.Col(chartDefs[t.Key].label)]) + " " + cellText(col.Kind, row[t.Col(key)])
				if t.Prev != nil && i < len(t.Prev) {
					item += " (before: " + cellText(col.Kind, t.Prev[i][t.Col(key)]) + ")"
				}
				items = append(items, item)
			}
			out = append(out, label+": "+strings.Join(items, "; ")+".")
			continue
		}
		when := func(i int) string { return dateLabel(t.Rows[i][t.Col("from")].(string), false) }
		best, bestI, lo, loI, n := math.Inf(-1), -1, math.Inf(1), -1, 0
		total, prevTotal := 0.0, 0.0
		for i, row := range t.Rows {
			v := cellNum(row[t.Col(key)])
			if v == nil {
				continue
			}
			n++
			total += *v
			if *v > best {
				best, bestI = *v, i
			}
			if *v < lo {
				lo, loI = *v, i
			}
		}
		for _, row := range t.Prev {
			if v := cellNum(row[t.Col(key)]); v != nil {
				prevTotal += *v
			}
		}
		if n == 0 {
			out = append(out, label+": nothing to measure in this period.")
			continue
		}
		if col.Kind == insights.KindCount && !slices.Contains(chartDefs[t.Key].levels, key) {
			s := fmt.Sprintf("%s: %s in the %s to %s", label, thousands(int(total)), strings.ToLower(r.Period.Label()), dateLabel(r.To, true))
			if t.Prev != nil {
				s += fmt.Sprintf(" (%s in the %s before)", thousands(int(prevTotal)), strings.ToLower(r.Period.Label()))
			}
			if best > 0 {
				s += fmt.Sprintf("; the most %s %s: %s", bucketOf(r), when(bestI), formatValue(col.Kind, &best))
			}
			out = append(out, s+".")
			continue
		}
		out = append(out, fmt.Sprintf("%s: lowest %s %s (%s), highest %s %s (%s).", label,
			bucketOf(r), when(loI), formatValue(col.Kind, &lo), bucketOf(r), when(bestI), formatValue(col.Kind, &best)))
	}
	return strings.Join(out, " ")
}

// bucketOf introduces a bucket's date: "on 3 Nov", "in the week of 3 Nov".
func bucketOf(r *insights.Report) string {
	if r.Period.Weekly() {
		return "in the week of"
	}
	return "on"
}

// tableSummary is the text alternative of a chart that is a table.
func tableSummary(t *insights.Table) string {
	if len(t.Rows) == 0 {
		return t.Title + ": nothing in this period."
	}
	return fmt.Sprintf("%s: %d rows, in the table below.", t.Title, len(t.Rows))
}

// tableView lays a table out for the page: URL columns become links on
// the column that names them; heat tables get a class per share.
func tableView(t *insights.Table, heat bool) insightsTable {
	var out insightsTable
	var shown []int
	daily := t.Col("from") >= 0
	for _, row := range t.Rows {
		daily = daily && row[t.Col("from")] == row[t.Col("to")]
	}
	for i, c := range t.Columns {
		if c.Kind == insights.KindURL || daily && c.Key == "to" {
			continue
		}
		label := c.Label
		switch {
		case daily && c.Key == "from":
			label = "Day"
		case c.Key == "from":
			label = "Week from"
		}
		shown = append(shown, i)
		out.Head = append(out.Head, label)
		out.Num = append(out.Num, c.Kind != insights.KindText && c.Kind != insights.KindDate)
	}
	for _, row := range t.Rows {
		var cells []insightsCell
		for _, i := range shown {
			c := t.Columns[i]
			cell := insightsCell{Text: cellText(c.Kind, row[i])}
			if c.Kind == insights.KindDate && t.Col("from") < 0 {
				if s, ok := row[i].(string); ok && len(s) == 7 {
					cell.Text = dateLabel(s, true)
				}
			}
			if c.Link != "" {
				if u, ok := row[t.Col(c.Link)].(string); ok && u != "" {
					cell.Link = u
				}
			}
			if heat && c.Kind == insights.KindShare {
				cell.Class = "heat heat-none"
				if v := cellNum(row[i]); v != nil {
					cell.Class = fmt.Sprintf("heat heat-%d", min(5, int(math.Ceil(*v*5))))
				}
			}
			cells = append(cells, cell)
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}
