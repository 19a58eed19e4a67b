package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/townhall/townhall/ideas"
)

// TestIdeaQueriesUseIndexes checks every listing shape the idea pages run:
// each must walk an index in order, never scan a table or sort in a temp
// b-tree. Triage by weighted demand is the documented exception (weights
// change, so it is computed over the queue of ideas awaiting a response).
func TestIdeaQueriesUseIndexes(t *testing.T) {
	db := openInternal(t)
	var shapes []planShape
	after := &ideas.Cursor{Key: 3, ID: "x"}
	for _, sortBy := range ideas.Sorts {
		for _, status := range []ideas.Status{"", ideas.StatusPlanned} {
			for _, tag := range []string{"", "api"} {
				for _, c := range []*ideas.Cursor{nil, after} {
					q, args := ideasQuery(ideas.Query{Sort: sortBy, Status: status, Tag: tag, After: c, Limit: 21, ViewerID: "v"})
					shapes = append(shapes, planShape{fmt.Sprintf("board %s status=%q tag=%q after=%v", sortBy, status, tag, c != nil), q, args})
				}
			}
		}
	}
	for _, c := range []*ideas.Cursor{nil, after} {
		q, args := ideasQuery(ideas.Query{Sort: ideas.SortNew, AuthorID: "a", After: c, Limit: 21})
		shapes = append(shapes, planShape{fmt.Sprintf("mine after=%v", c != nil), q, args})
		q, args = ideasQuery(ideas.Query{Sort: ideas.SortNew, VoterID: "a", After: c, Limit: 21})
		shapes = append(shapes, planShape{fmt.Sprintf("voted after=%v", c != nil), q, args})
		q, args = ideasQuery(ideas.Query{Sort: ideas.SortNew, Hidden: true, After: c, Limit: 21})
		shapes = append(shapes, planShape{fmt.Sprintf("hidden after=%v", c != nil), q, args})
		for _, s := range []string{ideas.TriageOldest, ideas.TriageVotes} {
			q, args = triageQuery(ideas.TriageQuery{Sort: s, After: c, Limit: 21})
			shapes = append(shapes, planShape{fmt.Sprintf("triage %s after=%v", s, c != nil), q, args})
		}
	}
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		if testing.Verbose() {
			t.Logf("%s: %s", s.name, all)
		}
		if strings.Contains(all, "TEMP B-TREE") || strings.Contains(all, "SCAN i;") || strings.HasSuffix(all, "SCAN i") ||
			strings.Contains(all, "SCAN t") || strings.Contains(all, "SCAN v") {
			t.Errorf("%s: plan %q scans or sorts", s.name, all)
		}
	}
}
