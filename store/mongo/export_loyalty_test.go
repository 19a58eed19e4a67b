package mongo

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall/loyalty"
)

// loyaltyPageQueries are the query shapes of profiles, leaderboards and
// badge pages, built by the store's own filter functions.
func loyaltyPageQueries() []PageQuery {
	var qs []PageQuery
	for _, tab := range loyalty.Tabs {
		for _, after := range []string{"", "z"} {
			coll, f, s := activityFilter(loyalty.ActivityQuery{UserID: "u", Tab: tab, After: after, Limit: 20})
			if coll != "" {
				qs = append(qs, PageQuery{fmt.Sprintf("profile tab %s cursor=%v", tab, after != ""), coll, f, s})
			}
		}
	}
	return append(qs,
		PageQuery{"reputation ledger", "reputation_events", entriesFilter("u", ""), entriesSort},
		PageQuery{"reputation ledger after a cursor", "reputation_events", entriesFilter("u", "z"), entriesSort},
		PageQuery{"leaderboard", "reputation_rollups", standingsFilter("w2026-49", ""), standingsSort},
		PageQuery{"badge holders", "user_badges", holdersFilter(loyalty.HelpfulBadge, ""), holdersSort},
		PageQuery{"badge holders after a cursor", "user_badges", holdersFilter(loyalty.HelpfulBadge, "z"), holdersSort},
		PageQuery{"badges of a person", "user_badges", bson.D{{Key: "user_id", Value: "u"}}, nil},
		PageQuery{"likes of an author's day", "likes", bson.D{{Key: "author_id", Value: "u"}, {Key: "day", Value: "2026-12-01"}}, nil},
	)
}
