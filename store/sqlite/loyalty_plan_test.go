package sqlite

import (
	"strings"
	"testing"

	"github.com/townhall/townhall/loyalty"
)

// TestLoyaltyQueriesUseIndexes checks the queries profiles, leaderboards
// and badge pages run: each profile tab, the reputation ledger, a
// leaderboard, a badge's holders, a person's badges and likes must walk
// an index, never scan a table or sort in a temp b-tree.
func TestLoyaltyQueriesUseIndexes(t *testing.T) {
	db := openInternal(t)
	var shapes []planShape
	for _, tab := range loyalty.Tabs {
		if q, ok := activityQueries[tab]; ok {
			shapes = append(shapes, planShape{"tab " + tab, q, []any{"u", beforeAll, 21}})
		} else if tab != loyalty.TabReputation {
			t.Errorf("tab %s has no query", tab)
		}
	}
	shapes = append(shapes,
		planShape{"reputation ledger", reputationEntriesQuery, []any{"u", beforeAll, 21}},
		planShape{"leaderboard", standingsQuery, []any{"w2026-49", "", 50}},
		planShape{"badge holders", badgeHoldersQuery, []any{loyalty.HelpfulBadge, beforeAll, 51}},
		planShape{"badges held", userBadgesQuery, []any{"u"}},
		planShape{"liked by", `SELECT target_id FROM likes WHERE user_id = ? AND target_id IN (?, ?)`, []any{"u", "a", "b"}},
		planShape{"badge facts", badgeFactsCols + `WHERE u.id IN (?)`, []any{loyalty.AcceptedCap, "u"}},
	)
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		// Every fact is read by author, never by a whole status.
		if s.name == "badge facts" && (!strings.Contains(all, "ideas_author") || strings.Contains(all, "ideas_status")) {
			t.Errorf("badge facts read ideas by status: %s", all)
		}
		if testing.Verbose() {
			t.Logf("%s: %s", s.name, all)
		}
		for _, step := range plan {
			if strings.Contains(step, "TEMP B-TREE") || strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "USING INDEX") &&
				!strings.Contains(step, "USING COVERING INDEX") {
				t.Errorf("%s: plan %q scans or sorts", s.name, all)
			}
		}
	}
}
