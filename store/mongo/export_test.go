package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/reviews"
)

// PageQuery is one query shape a page runs, for the explain test.
type PageQuery struct {
	Name       string
	Collection string
	Filter     bson.D
	Sort       bson.D
}

// PageQueries lists the query shapes pages run, built by the same code the
// store methods use where a builder exists.
func PageQueries() []PageQuery {
	qs := []PageQuery{
		{"users page", "users", bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: ""}}}}, bson.D{{Key: "_id", Value: 1}}},
		{"user by handle", "users", bson.D{{Key: "handle", Value: "x"}}, nil},
		{"user by identity", "users", bson.D{{Key: "identities", Value: "dev:x"}}, nil},
		{"notifications page", "notifications", bson.D{{Key: "user_id", Value: "u"}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: "~"}}}}, bson.D{{Key: "_id", Value: -1}}},
		{"change feed", "changes", bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: int64(0)}}}}, bson.D{{Key: "_id", Value: 1}}},
		{"product by slug", "products", bson.D{{Key: "slug", Value: "x"}}, nil},
		{"products listing", "products", bson.D{{Key: "archived", Value: false}}, bson.D{{Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}},
		{"products listing with archived", "products", bson.D{}, bson.D{{Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}},
		{"products listing after a cursor", "products", bson.D{{Key: "archived", Value: false}, {Key: "name_key", Value: bson.D{{Key: "$gte", Value: "m"}}},
			{Key: "$or", Value: bson.A{bson.D{{Key: "name_key", Value: bson.D{{Key: "$gt", Value: "m"}}}}, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: "x"}}}}}}},
			bson.D{{Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}},
		{"ideas of an author", "ideas", bson.D{{Key: "author_id", Value: "a"}}, bson.D{{Key: "_id", Value: -1}}},
		{"ideas a user voted for", "idea_votes", bson.D{{Key: "user_id", Value: "u"}}, bson.D{{Key: "idea_id", Value: -1}}},
		{"idea comments", "idea_comments", bson.D{{Key: "idea_id", Value: "i"}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: ""}}}}, bson.D{{Key: "_id", Value: 1}}},
		{"idea status history", "idea_status_changes", bson.D{{Key: "idea_id", Value: "i"}}, bson.D{{Key: "_id", Value: 1}}},
		{"popular tags", "idea_tags", bson.D{{Key: "ideas", Value: bson.D{{Key: "$gt", Value: 0}}}}, bson.D{{Key: "ideas", Value: -1}, {Key: "_id", Value: 1}}},
		{"triage oldest", "ideas", bson.D{{Key: "awaiting", Value: true}}, bson.D{{Key: "_id", Value: 1}}},
		{"triage by votes", "ideas", bson.D{{Key: "awaiting", Value: true}}, bson.D{{Key: "votes", Value: -1}, {Key: "_id", Value: -1}}},
		{"similar by word", "ideas", bson.D{{Key: "words", Value: "dark"}}, bson.D{{Key: "_id", Value: -1}}},
		{"review by author", "reviews", bson.D{{Key: "product_id", Value: "p"}, {Key: "author_id", Value: "a"}}, nil},
	}
	for _, tag := range []string{"", "mobile"} {
		for _, status := range []string{"", "planned"} {
			for _, key := range []string{"", "votes", "trend"} {
				for _, after := range []*ideas.Cursor{nil, {Key: 3, ID: "z"}} {
					f := bson.D{}
					if tag != "" {
						f = append(f, bson.E{Key: "tags", Value: tag})
					}
					f = append(f, bson.E{Key: "listed", Value: true})
					if status != "" {
						f = append(f, bson.E{Key: "status", Value: status})
					}
					s := bson.D{{Key: "_id", Value: -1}}
					if key != "" {
						s = bson.D{{Key: key, Value: -1}, {Key: "_id", Value: -1}}
					}
					if after != nil {
						f = append(f, keysetBefore(key, after)...)
					}
					qs = append(qs, PageQuery{fmt.Sprintf("board tag=%q status=%q sort=%q cursor=%v", tag, status, key, after != nil), "ideas", f, s})
				}
			}
		}
	}
	qs = append(qs,
		PageQuery{"forum categories", "forum_categories", bson.D{}, bson.D{{Key: "position", Value: 1}, {Key: "name", Value: 1}}},
		PageQuery{"forum category by slug", "forum_categories", bson.D{{Key: "slug", Value: "x"}}, nil},
		PageQuery{"latest threads", "forum_threads", latestFilter, latestSort},
		PageQuery{"thread page posts", "forum_posts", postsFilter("t", 1, 20), bson.D{{Key: "position", Value: 1}}},
		PageQuery{"post revisions", "forum_revisions", bson.D{{Key: "post_id", Value: "p"}}, bson.D{{Key: "_id", Value: -1}}},
		PageQuery{"thread followers", "forum_follows", bson.D{{Key: "thread_id", Value: "t"}}, nil},
		PageQuery{"following a thread", "forum_follows", bson.D{{Key: "thread_id", Value: "t"}, {Key: "user_id", Value: "u"}}, nil},
		PageQuery{"threads a person follows", "forum_follows", bson.D{{Key: "user_id", Value: "u"}}, nil},
		PageQuery{"a page of an idea's voters", "idea_votes", bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: "i:u"}, {Key: "$lt", Value: "i;"}}}}, bson.D{{Key: "_id", Value: 1}}},
		PageQuery{"a group's mail not yet sent", "notifications", bson.D{{Key: "user_id", Value: "u"}, {Key: "grp", Value: "thread:t"},
			{Key: "read", Value: false}, {Key: "mail_key", Value: ""}}, bson.D{{Key: "_id", Value: 1}}},
		PageQuery{"what one email carries", "notifications", bson.D{{Key: "mail_key", Value: "mail:k"}, {Key: "user_id", Value: "u"}}, bson.D{{Key: "_id", Value: 1}}},
		PageQuery{"a digest's notifications", "notifications", bson.D{{Key: "user_id", Value: "u"}, {Key: "_id", Value: bson.D{{Key: "$gte", Value: "a"}, {Key: "$lt", Value: "b"}}},
			{Key: "read", Value: false}, {Key: "mail_key", Value: ""}}, bson.D{{Key: "_id", Value: 1}}},
		PageQuery{"admin email", "mail_messages", bson.D{}, bson.D{{Key: "_id", Value: -1}}},
		PageQuery{"admin email by state", "mail_messages", bson.D{{Key: "state", Value: "failed"}}, bson.D{{Key: "_id", Value: -1}}},
		PageQuery{"email by job key", "mail_messages", bson.D{{Key: "key", Value: "mail:k"}}, nil},
		PageQuery{"email preferences", "mail_preferences", bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}}, nil},
	)
	// A person's data export: each kind of their records in id order.
	for _, q := range []struct{ name, coll, field, key string }{
		{"threads", "forum_threads", "author_id", "_id"}, {"posts", "forum_posts", "author_id", "_id"},
		{"ideas", "ideas", "author_id", "_id"}, {"comments", "idea_comments", "author_id", "_id"},
		{"idea votes", "idea_votes", "user_id", "idea_id"}, {"reviews", "reviews", "author_id", "_id"},
		{"helpful votes", "review_votes", "user_id", "review_id"}, {"follows", "forum_follows", "user_id", "thread_id"},
		{"notifications", "notifications", "user_id", "_id"},
	} {
		qs = append(qs, PageQuery{"account export " + q.name, q.coll,
			bson.D{{Key: q.field, Value: "u"}, {Key: q.key, Value: bson.D{{Key: "$gt", Value: ""}}}}, bson.D{{Key: q.key, Value: 1}}})
	}
	// The insights' background pass: each fact by its creation time, then
	// what the facts refer to by id.
	day := bson.D{{Key: "$gte", Value: int64(1)}, {Key: "$lt", Value: int64(2)}}
	byTime := bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}
	newest := bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}
	in := bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}
	qs = append(qs,
		PageQuery{"insights threads of a day", "forum_threads", bson.D{{Key: "created_at", Value: day}, {Key: "hidden", Value: false}}, byTime},
		PageQuery{"insights replies of threads", "forum_posts", bson.D{{Key: "thread_id", Value: in}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "hidden", Value: false}}, nil},
		PageQuery{"insights replies of a day", "forum_posts", bson.D{{Key: "created_at", Value: day}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "hidden", Value: false}}, byTime},
		PageQuery{"insights ideas of a day", "ideas", bson.D{{Key: "created_at", Value: day}, {Key: "listed", Value: true}}, byTime},
		PageQuery{"insights status changes of a day", "idea_status_changes", bson.D{{Key: "at", Value: day}}, bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}},
		PageQuery{"insights status changes of ideas", "idea_status_changes", bson.D{{Key: "idea_id", Value: in}}, nil},
		PageQuery{"insights votes of a day", "idea_votes", bson.D{{Key: "created_at", Value: day}}, nil},
		PageQuery{"insights reviews of a day", "reviews", bson.D{{Key: "created_at", Value: day}}, byTime},
		PageQuery{"insights lowest ratings", "reviews", bson.D{{Key: "rating", Value: 1}, {Key: "created_at", Value: bson.D{{Key: "$gte", Value: int64(1)}}}}, newest},
		PageQuery{"insights lowest ratings of a product", "reviews", bson.D{{Key: "product_id", Value: "p"}, {Key: "rating", Value: 1}, {Key: "created_at", Value: bson.D{{Key: "$gte", Value: int64(1)}}}}, newest},
		PageQuery{"insights members who joined", "users", bson.D{{Key: "created_at", Value: day}}, byTime},
		PageQuery{"insights members seen since", "users", bson.D{{Key: "last_seen_at", Value: bson.D{{Key: "$gte", Value: int64(1)}}}}, nil},
		PageQuery{"insights users by id", "users", bson.D{{Key: "_id", Value: in}}, nil},
		PageQuery{"insights visits of days", "visits", bson.D{{Key: "day", Value: bson.D{{Key: "$gte", Value: "2026-01-01"}, {Key: "$lte", Value: "2026-12-31"}}}}, bson.D{{Key: "day", Value: 1}, {Key: "user_id", Value: 1}}},
		PageQuery{"insights visits of a cohort", "visits", bson.D{{Key: "user_id", Value: in}, {Key: "day", Value: bson.D{{Key: "$gte", Value: "2026-01-01"}, {Key: "$lte", Value: "2026-01-31"}}}}, nil},
		PageQuery{"insights ideas in play", "ideas", bson.D{{Key: "listed", Value: true}, {Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{"done", "declined"}}}}}, nil},
		PageQuery{"insights rollup rows", "insight_rows", bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: "d:2026-01-01"}, {Key: "$lte", Value: "d:2026-12-31"}}}}, bson.D{{Key: "_id", Value: 1}}},
	)
	for _, hidden := range []bool{false, true} {
		for _, after := range []*forum.ThreadCursor{nil, {Pinned: true, Activity: time.UnixMilli(5), ID: "z"}, {Activity: time.UnixMilli(5), ID: "z"}} {
			qs = append(qs, PageQuery{fmt.Sprintf("category threads withHidden=%v cursor=%+v", hidden, after), "forum_threads",
				threadsFilter("c", after, hidden), threadSort})
		}
	}
	for _, after := range []*moderation.CaseCursor{nil, {OpenedAt: time.UnixMilli(5), Key: "post:z"}} {
		qs = append(qs, PageQuery{fmt.Sprintf("review queue cursor=%v", after != nil), "moderation_cases", casesFilter(after), caseSort})
	}
	qs = append(qs, PageQuery{"flags of an item", "flags", bson.D{{Key: "case_id", Value: "post:z"}}, bson.D{{Key: "_id", Value: 1}}})
	for _, sort := range reviews.Sorts {
		for _, stars := range []int{0, 4} {
			for _, after := range []*reviews.Cursor{nil, {Key: 3, ID: "z"}} {
				f, s := reviewsFilter(reviews.ReviewQuery{ProductID: "p", Sort: sort, Stars: stars, After: after, Limit: 20})
				qs = append(qs, PageQuery{fmt.Sprintf("reviews %s stars=%d cursor=%v", sort, stars, after != nil), "reviews", f, s})
			}
		}
	}
	qs = append(qs, loyaltyPageQueries()...)
	return append(qs, integrationQueries()...)
}

// integrationQueries are the page queries of tokens, webhooks, the
// changelog and votes on behalf.
func integrationQueries() []PageQuery {
	return []PageQuery{
		{"changelog", "ideas", changelogFilter(nil), changelogSort},
		{"changelog after a cursor", "ideas", changelogFilter(&ideas.Cursor{Key: 5, ID: "z"}), changelogSort},
		{"token by hash", "api_tokens", bson.D{{Key: "hash", Value: "h"}}, nil},
		{"personal tokens", "api_tokens", bson.D{{Key: "user_id", Value: "u"}, {Key: "site", Value: false}}, bson.D{{Key: "_id", Value: -1}}},
		{"site tokens", "api_tokens", bson.D{{Key: "site", Value: true}}, bson.D{{Key: "_id", Value: -1}}},
		{"webhook attempts of deliveries", "webhook_attempts", webhookAttemptsFilter("e", []string{"j1", "j2"}), nil},
		{"votes recorded on behalf", "idea_proxy_votes", bson.D{{Key: "idea_id", Value: "i"}}, bson.D{{Key: "created_at", Value: -1}}},
		{"user by email", "users", bson.D{{Key: "email_key", Value: "a@b.example"}}, bson.D{{Key: "_id", Value: 1}}},
		{"admins", "users", adminsFilter, bson.D{{Key: "_id", Value: 1}}},
	}
}

// Explain returns the server's query plan for q.
func (db *DB) Explain(ctx context.Context, q PageQuery) (bson.M, error) {
	find := bson.D{{Key: "find", Value: q.Collection}, {Key: "filter", Value: q.Filter}, {Key: "limit", Value: 20}}
	if q.Sort != nil {
		find = append(find, bson.E{Key: "sort", Value: q.Sort})
	}
	var out bson.M
	err := db.db.RunCommand(ctx, bson.D{{Key: "explain", Value: find}, {Key: "verbosity", Value: "queryPlanner"}}).Decode(&out)
	return out, err
}

// RecordChange exposes recordChange to the change-feed test.
func (db *DB) RecordChange(ctx context.Context, kind, id string) error {
	return db.recordChange(ctx, kind, id)
}

// AllocateChange takes a feed sequence number without inserting its entry,
// as a node that crashed (or is slow) between the two steps would.
func (db *DB) AllocateChange(ctx context.Context) (int64, error) { return db.nextSeq(ctx, "changes") }

// GapGrace exposes gapGrace.
const GapGrace = gapGrace

// InterruptMerge performs the first steps of a merge — the merging mark and
// the move of one vote — as a merge that crashed midway would leave them.
func (db *DB) InterruptMerge(ctx context.Context, dupID, intoID string) error {
	if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: dupID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merging_into", Value: intoID}}}}); err != nil {
		return err
	}
	var v ideaVoteDoc
	if err := db.ideaVotes().FindOne(ctx, bson.D{{Key: "idea_id", Value: dupID}}).Decode(&v); err != nil {
		return err
	}
	nv := v
	nv.ID, nv.IdeaID = intoID+":"+v.UserID, intoID
	if _, err := db.ideaVotes().InsertOne(ctx, nv); err != nil {
		return err
	}
	if err := db.countVotes(ctx, intoID, v.SegmentID, 1, func(d *ideaDoc) (float64, error) {
		return ideas.TrendAdd(d.Trend, ideas.TrendExponent(fromMS(v.CreatedAt))), nil
	}); err != nil {
		return err
	}
	_, err := db.ideaVotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: v.ID}})
	return err
}

// InterruptDeleteAccount performs the first steps of a deletion — the
// sign-ins recorded as deleted, nothing else — as a node that crashed
// there would leave them.
func (db *DB) InterruptDeleteAccount(ctx context.Context, d account.Deletion) error {
	var u userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: d.UserID}}).Decode(&u); err != nil {
		return err
	}
	return db.tombstoneIdentities(ctx, &u, d)
}

// LeftoverSession stores a session for userID as if a deletion had been
// interrupted before it deleted the sessions.
func (db *DB) LeftoverSession(ctx context.Context, userID, tokenHash string, expires time.Time) error {
	_, err := db.sessions.InsertOne(ctx, sessionDoc{tokenHash, userID, time.Now().UTC(), expires.UTC()})
	return err
}

// Op is op, for the test that writes outlive their caller's cancellation.
var Op = op

// OpTimeout is opTimeout.
const OpTimeout = opTimeout

// Transient lets the external tests check which server errors a write is
// tried again on.
var Transient = transient
