package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/ideas"
)

// apiExportIdeas streams every idea as CSV for the product team. The
// answer begins with the first idea, so a refusal is still a clean error;
// a failure after that can only end the file early and be logged.
func (s *Server) apiExportIdeas(c *gin.Context) error {
	u := currentUser(c)
	base := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	var w *csv.Writer
	begin := func() {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="ideas.csv"`)
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		w = csv.NewWriter(c.Writer)
		w.Write(csvHeader)
	}
	err := s.svc.Ideas.Export(c.Request.Context(), u, func(i *ideas.Idea) error {
		if w == nil {
			begin()
		}
		status := string(i.Status)
		if i.Merged() {
			status = "merged"
		}
		return w.Write([]string{
			i.ID, csvCell(i.Title), status, strconv.Itoa(i.Votes), strconv.FormatFloat(i.Weighted, 'f', -1, 64),
			i.CreatedAt.UTC().Format(time.RFC3339), csvCell(strings.Join(i.Tags, " ")), base + i.URL(),
		})
	})
	if err != nil && w == nil {
		return err
	}
	if err != nil {
		s.log.Error("export ideas", "err", err, "request_id", c.GetString(ctxRequestID))
		return nil
	}
	if w == nil { // no ideas yet: still a valid file
		begin()
	}
	w.Flush()
	return nil
}

var csvHeader = []string{"id", "title", "status", "votes", "weighted_score", "created", "tags", "url"}

// csvCell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) gets a leading apostrophe so it stays text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
