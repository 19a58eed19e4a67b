package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/insights"
)

// insightRoutes serves the insights page and its API: the headline
// figures, each chart's table, and both as CSV.
func (s *Server) insightRoutes(r *gin.Engine) {
	r.GET("/insights", s.h(s.insightsPage))
	api := s.api()
	api.GET("/insights", s.h(s.apiInsights))
	api.GET("/insights.csv", s.h(s.apiInsightsCSV))
	api.GET("/insights/:chart", s.h(s.apiInsightChart))
}

// insightsQuery reads ?period=, ?segment= and ?product=.
func insightsQuery(c *gin.Context) (insights.Query, error) {
	p, err := insights.ParsePeriod(c.Query("period"))
	if err != nil {
		return insights.Query{}, err
	}
	return insights.Query{Period: p, Segment: c.Query("segment"), Product: c.Query("product")}, nil
}

func (s *Server) insightsReport(c *gin.Context) (*insights.Report, error) {
	q, err := insightsQuery(c)
	if err != nil {
		return nil, err
	}
	return s.svc.Insights.Report(c.Request.Context(), currentUser(c), q)
}

var insightKinds = map[insights.Kind]string{
	insights.KindText: "text", insights.KindDate: "date", insights.KindCount: "count", insights.KindFloat: "float",
	insights.KindShare: "share", insights.KindSeconds: "seconds", insights.KindURL: "url",
}

// reportJSON is what every insights answer starts with: the question.
func reportJSON(r *insights.Report) map[string]any {
	out := map[string]any{
		"period": r.Period.String(), "from": r.From, "to": r.To, "previous_from": r.PrevFrom, "previous_to": r.PrevTo,
		"time_zone": r.Zone, "ready": r.Ready, "segment": nil, "updated_at": nil,
	}
	if r.Segment != nil {
		out["segment"] = map[string]any{"id": r.Segment.ID, "name": r.Segment.Name}
	}
	if !r.Updated.IsZero() {
		out["updated_at"] = r.Updated.UTC().Format(time.RFC3339)
	}
	return out
}

// apiInsights answers the headline figures of the period, with the same
// figures of the period before under "previous".
func (s *Server) apiInsights(c *gin.Context) error {
	r, err := s.insightsReport(c)
	if err != nil {
		return err
	}
	out := reportJSON(r)
	prev := map[string]any{}
	for _, f := range r.Figures {
		out[f.Key], prev[f.Key] = figureValue(f.Value), figureValue(f.Previous)
	}
	out["previous"] = prev
	charts := map[string]string{}
	for _, k := range insights.Charts {
		charts[k] = "/api/v1/insights/" + k + "?" + insightsParams(r, "")
	}
	out["charts"] = charts
	c.Header("Cache-Control", "no-store")
	return sendJSON(c, http.StatusOK, out)
}

func figureValue(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// apiInsightChart answers one chart's table: its columns, and the rows of
// the period (and of the period before, for charts over time).
func (s *Server) apiInsightChart(c *gin.Context) error {
	key, err := insights.ParseChart(c.Param("chart"))
	if err != nil {
		return err
	}
	r, err := s.insightsReport(c)
	if err != nil {
		return err
	}
	t := r.Table(key)
	out := reportJSON(r)
	cols := make([]map[string]string, len(t.Columns))
	for i, col := range t.Columns {
		cols[i] = map[string]string{"key": col.Key, "label": col.Label, "kind": insightKinds[col.Kind]}
	}
	items := func(rows [][]any) []map[string]any {
		out := make([]map[string]any, len(rows))
		for i, row := range rows {
			m := make(map[string]any, len(row))
			for j, col := range t.Columns {
				m[col.Key] = row[j]
			}
			out[i] = m
		}
		return out
	}
	out["chart"], out["title"], out["columns"], out["items"] = t.Key, t.Title, cols, items(t.Rows)
	if t.Prev != nil {
		out["previous"] = items(t.Prev)
	}
	c.Header("Cache-Control", "no-store")
	return sendJSON(c, http.StatusOK, out)
}

// apiInsightsCSV answers the headline figures as CSV (metric, label,
// value, previous), or with ?chart= that chart's table, a row per bucket
// with a first column saying which period it belongs to.
func (s *Server) apiInsightsCSV(c *gin.Context) error {
	var key string
	if k := c.Query("chart"); k != "" {
		var err error
		if key, err = insights.ParseChart(k); err != nil {
			return err
		}
	}
	r, err := s.insightsReport(c)
	if err != nil {
		return err
	}
	name := "insights-" + r.Period.String()
	if key != "" {
		name += "-" + key
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	if key == "" {
		w.Write([]string{"metric", "label", "value", "previous", "from", "to", "previous_from", "previous_to"})
		for _, f := range r.Figures {
			w.Write([]string{f.Key, f.Label, csvNumber(figureValue(f.Value)), csvNumber(figureValue(f.Previous)), r.From, r.To, r.PrevFrom, r.PrevTo})
		}
	} else {
		t := r.Table(key)
		header := []string{"period"}
		for _, col := range t.Columns {
			header = append(header, col.Key)
		}
		w.Write(header)
		for _, part := range []struct {
			name string
			rows [][]any
		}{{"current", t.Rows}, {"previous", t.Prev}} {
			for _, row := range part.rows {
				line := []string{part.name}
				for _, v := range row {
					line = append(line, csvNumber(v))
				}
				w.Write(line)
			}
		}
	}
	w.Flush()
	return w.Error()
}

// csvNumber writes a cell: numbers in full, nothing for nil, and text with
// spreadsheet formulas defused.
func csvNumber(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return csvCell(v)
	}
	return ""
}

// insightsParams is the query string of a report, optionally with a chart.
func insightsParams(r *insights.Report, chart string) string {
	q := url.Values{"period": {r.Period.String()}}
	if r.Segment != nil {
		if r.Segment.ID == "" {
			q.Set("segment", insights.NoSegment)
		} else {
			q.Set("segment", r.Segment.ID)
		}
	}
	if r.Product != nil {
		q.Set("product", r.Product.Slug)
	}
	if chart != "" {
		q.Set("chart", chart)
	}
	return q.Encode()
}
