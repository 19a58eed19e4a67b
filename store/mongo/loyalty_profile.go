package mongo

import (
	"context"
	"html/template"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// Profile implements loyalty.Store.
func (db *DB) Profile(ctx context.Context, userID string) (*loyalty.Profile, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var u userDoc
	if err := db.users.FindOne(ctx, id(userID)).Decode(&u); err != nil {
		return nil, notFound(err, loyalty.ErrUserNotFound)
	}
	// The bio's HTML was sanitized by markdown.Render when written.
	return &loyalty.Profile{Bio: u.Bio, BioHTML: template.HTML(u.BioHTML), NameChosen: u.NameChosen, BadgeChosen: u.BadgeChosen}, nil
}

// SaveProfile implements loyalty.Store. A name that differs from the one
// stored marks it chosen, so the next sign-in keeps it.
func (db *DB) SaveProfile(ctx context.Context, userID, name string, p *loyalty.Profile) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var u userDoc
	if err := db.users.FindOne(ctx, id(userID)).Decode(&u); err != nil {
		return notFound(err, loyalty.ErrUserNotFound)
	}
	_, err := db.users.UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name},
		{Key: "name_chosen", Value: u.NameChosen || u.Name != name}, {Key: "bio", Value: p.Bio}, {Key: "bio_html", Value: string(p.BioHTML)}}}})
	return err
}

// before adds "older than the cursor" to a newest-first filter on field.
func before(f bson.D, field, after string) bson.D {
	if after != "" {
		f = append(f, bson.E{Key: field, Value: bson.D{{Key: "$lt", Value: after}}})
	}
	return f
}

// activityFilter is the filter and sort of a profile tab's page.
func activityFilter(q loyalty.ActivityQuery) (coll string, f, sort bson.D) {
	newest := bson.D{{Key: "_id", Value: -1}}
	switch q.Tab {
	case loyalty.TabThreads:
		return "forum_threads", before(bson.D{{Key: "author_id", Value: q.UserID}, {Key: "hidden", Value: false}}, "_id", q.After), newest
	case loyalty.TabReplies:
		return "forum_posts", before(bson.D{{Key: "author_id", Value: q.UserID}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}},
			{Key: "hidden", Value: false}}, "_id", q.After), newest
	case loyalty.TabAnswers:
		return "forum_threads", before(bson.D{{Key: "accepted_author_id", Value: q.UserID}, {Key: "hidden", Value: false}}, "accepted_post_id", q.After),
			bson.D{{Key: "accepted_post_id", Value: -1}}
	case loyalty.TabIdeas:
		return "ideas", before(bson.D{{Key: "author_id", Value: q.UserID}, {Key: "listed", Value: true},
			{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}}, "_id", q.After), newest
	case loyalty.TabReviews:
		return "reviews", before(bson.D{{Key: "author_id", Value: q.UserID}}, "_id", q.After), newest
	}
	return "", nil, nil
}

// Activity implements loyalty.Store. Replies in hidden threads are left
// out after the read, so a page keeps reading until it is full.
func (db *DB) Activity(ctx context.Context, q loyalty.ActivityQuery) ([]*loyalty.Activity, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var out []*loyalty.Activity
	for {
		coll, f, sort := activityFilter(q)
		if coll == "" {
			return nil, nil
		}
		page, more, last, err := db.activityPage(ctx, q, db.db.Collection(coll), f, sort)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if !more || len(out) >= q.Limit {
			if len(out) > q.Limit {
				out = out[:q.Limit]
			}
			return out, nil
		}
		q.After = last
	}
}

// activityPage reads one batch of a tab: more says whether the collection
// had a full batch, last is the cursor after it.
func (db *DB) activityPage(ctx context.Context, q loyalty.ActivityQuery, c *mongo.Collection, f, sort bson.D) (page []*loyalty.Activity, more bool, last string, err error) {
	cur, err := c.Find(ctx, f, options.Find().SetSort(sort).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, false, "", err
	}
	switch q.Tab {
	case loyalty.TabThreads, loyalty.TabAnswers:
		var ts []threadDoc
		if err := cur.All(ctx, &ts); err != nil {
			return nil, false, "", err
		}
		postIDs := make([]string, 0, len(ts))
		for _, t := range ts {
			if q.Tab == loyalty.TabAnswers {
				postIDs = append(postIDs, t.AcceptedID)
			}
		}
		posts := map[string]postDoc{}
		if q.Tab == loyalty.TabAnswers {
			posts, err = db.postsByID(ctx, idIn(postIDs))
		} else {
			ids := make([]string, len(ts))
			for i, t := range ts {
				ids[i] = t.ID
			}
			var firsts map[string]postDoc
			firsts, err = db.postsByID(ctx, bson.D{{Key: "thread_id", Value: bson.D{{Key: "$in", Value: nonNilIDs(ids)}}}, {Key: "position", Value: 0}})
			for _, p := range firsts {
				posts[p.ThreadID] = p
			}
		}
		if err != nil {
			return nil, false, "", err
		}
		for _, t := range ts {
			if q.Tab == loyalty.TabThreads {
				page = append(page, &loyalty.Activity{Kind: q.Tab, ID: t.ID, Title: t.Title, Source: posts[t.ID].Source, Count: t.Replies, At: fromMS(t.CreatedAt)})
				last = t.ID
				continue
			}
			p := posts[t.AcceptedID]
			page = append(page, &loyalty.Activity{Kind: q.Tab, ID: p.ID, Title: t.Title, Source: p.Source, ParentID: t.ID, Position: p.Position,
				Count: p.Likes, At: fromMS(p.CreatedAt)})
			last = t.AcceptedID
		}
		return page, len(ts) == q.Limit, last, nil
	case loyalty.TabReplies:
		var ps []postDoc
		if err := cur.All(ctx, &ps); err != nil {
			return nil, false, "", err
		}
		ids := make([]string, len(ps))
		for i, p := range ps {
			ids[i] = p.ThreadID
		}
		threads, err := db.threadsByID(ctx, ids)
		if err != nil {
			return nil, false, "", err
		}
		for _, p := range ps {
			last = p.ID
			if t, ok := threads[p.ThreadID]; ok && !t.Hidden {
				page = append(page, &loyalty.Activity{Kind: q.Tab, ID: p.ID, Title: t.Title, Source: p.Source, ParentID: p.ThreadID,
					Position: p.Position, Count: p.Likes, At: fromMS(p.CreatedAt)})
			}
		}
		return page, len(ps) == q.Limit, last, nil
	case loyalty.TabIdeas:
		var is []ideaDoc
		if err := cur.All(ctx, &is); err != nil {
			return nil, false, "", err
		}
		for _, i := range is {
			page = append(page, &loyalty.Activity{Kind: q.Tab, ID: i.ID, Title: i.Title, Source: i.Body, Count: i.Votes,
				Status: ideas.Status(i.Status), At: fromMS(i.CreatedAt)})
			last = i.ID
		}
		return page, len(is) == q.Limit, last, nil
	case loyalty.TabReviews:
		var rs []reviewDoc
		if err := cur.All(ctx, &rs); err != nil {
			return nil, false, "", err
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.ProductID
		}
		products, err := db.productsByID(ctx, ids)
		if err != nil {
			return nil, false, "", err
		}
		for _, r := range rs {
			p := products[r.ProductID]
			page = append(page, &loyalty.Activity{Kind: q.Tab, ID: r.ID, Title: p.Name, Source: strings.TrimSpace(r.Title + "\n" + r.Body),
				Slug: p.Slug, Count: r.Rating, At: fromMS(r.CreatedAt)})
			last = r.ID
		}
		return page, len(rs) == q.Limit, last, nil
	}
	return nil, false, "", nil
}

func (db *DB) postsByID(ctx context.Context, f bson.D) (map[string]postDoc, error) {
	cur, err := db.forumPosts().Find(ctx, f)
	if err != nil {
		return nil, err
	}
	var docs []postDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make(map[string]postDoc, len(docs))
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

// docsByID reads the documents of coll whose _id is among ids, with only
// the given fields, into a map by key (a document's _id).
func docsByID[T any](ctx context.Context, coll *mongo.Collection, ids []string, fields []string, key func(*T) string) (map[string]T, error) {
	out := map[string]T{}
	if len(ids) == 0 {
		return out, nil
	}
	proj := bson.D{}
	for _, f := range fields {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	cur, err := coll.Find(ctx, idIn(ids), options.Find().SetProjection(proj))
	if err != nil {
		return nil, err
	}
	var docs []T
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	for i := range docs {
		out[key(&docs[i])] = docs[i]
	}
	return out, nil
}

func (db *DB) threadsByID(ctx context.Context, ids []string) (map[string]threadDoc, error) {
	return docsByID(ctx, db.forumThreads(), ids, []string{"title", "hidden", "category_id"}, func(d *threadDoc) string { return d.ID })
}

func (db *DB) productsByID(ctx context.Context, ids []string) (map[string]productDoc, error) {
	return docsByID(ctx, db.products(), ids, []string{"name", "slug"}, func(d *productDoc) string { return d.ID })
}

// entriesFilter selects a page of a person's ledger, newest first.
func entriesFilter(userID, beforeID string) bson.D {
	return before(bson.D{{Key: "user_id", Value: userID}}, "id", beforeID)
}

var entriesSort = bson.D{{Key: "id", Value: -1}}

// ReputationEntries implements loyalty.Store: the page, then what names
// each entry's source, with one query per kind of source, read only where
// the source and its parent are visible.
func (db *DB) ReputationEntries(ctx context.Context, userID, beforeID string, limit int) ([]*loyalty.Entry, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[eventDoc](ctx, db.reputationEvents(), entriesFilter(userID, beforeID), options.Find().SetSort(entriesSort).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var postIDs, commentIDs, ideaIDs, productIDs []string
	for _, d := range docs {
		switch d.SourceKind {
		case loyalty.KindPost:
			postIDs = append(postIDs, d.SourceID)
		case loyalty.KindComment:
			commentIDs = append(commentIDs, d.SourceID)
		case loyalty.KindIdea:
			ideaIDs = append(ideaIDs, d.SourceID)
		case loyalty.KindReview:
			productIDs = append(productIDs, d.ParentID)
		}
	}
	posts, err := db.postsByID(ctx, idIn(postIDs))
	if err != nil {
		return nil, err
	}
	var threadIDs []string
	for _, p := range posts {
		threadIDs = append(threadIDs, p.ThreadID)
	}
	threads, err := db.threadsByID(ctx, threadIDs)
	if err != nil {
		return nil, err
	}
	comments := map[string]ideaCommentDoc{}
	if len(commentIDs) > 0 {
		cc, err := db.ideaComments().Find(ctx, idIn(commentIDs))
		if err != nil {
			return nil, err
		}
		var cs []ideaCommentDoc
		if err := cc.All(ctx, &cs); err != nil {
			return nil, err
		}
		for _, c := range cs {
			comments[c.ID] = c
			ideaIDs = append(ideaIDs, c.IdeaID)
		}
	}
	listed := map[string]string{} // visible ideas' titles
	if len(ideaIDs) > 0 {
		ic, err := db.ideas().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ideaIDs}}}, {Key: "listed", Value: true},
			{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}}, options.Find().SetProjection(bson.D{{Key: "title", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var is []ideaDoc
		if err := ic.All(ctx, &is); err != nil {
			return nil, err
		}
		for _, i := range is {
			listed[i.ID] = i.Title
		}
	}
	products, err := db.productsByID(ctx, productIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*loyalty.Entry, len(docs))
	for i, d := range docs {
		e := d.entry()
		switch d.SourceKind {
		case loyalty.KindPost:
			if p, ok := posts[d.SourceID]; ok {
				e.Position = p.Position
				if t, ok := threads[p.ThreadID]; ok && !p.Hidden && !t.Hidden {
					e.Title = t.Title
				}
			}
		case loyalty.KindComment:
			if c, ok := comments[d.SourceID]; ok {
				e.ParentID = c.IdeaID // a comment follows its idea through a merge
				if c.Hidden == nil && c.DeletedAt == 0 {
					e.Title = listed[c.IdeaID]
				}
			}
		case loyalty.KindIdea:
			e.Title = listed[d.SourceID]
		case loyalty.KindReview:
			p := products[d.ParentID]
			e.Title, e.ProductSlug = p.Name, p.Slug
		}
		out[i] = e
	}
	return out, nil
}

// standingsFilter selects one leaderboard: those who gained points.
func standingsFilter(period, scope string) bson.D {
	return bson.D{{Key: "period", Value: period}, {Key: "scope", Value: scope}, {Key: "points", Value: bson.D{{Key: "$gt", Value: 0}}}}
}

var standingsSort = bson.D{{Key: "points", Value: -1}, {Key: "user_id", Value: 1}}

// Standings implements loyalty.Store: one range of the rollups' rank index.
func (db *DB) Standings(ctx context.Context, period, scope string, limit int) ([]*loyalty.Standing, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.reputationRollups().Find(ctx, standingsFilter(period, scope), options.Find().SetSort(standingsSort).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []rollupDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return withPeople(ctx, db, docs, func(d rollupDoc) string { return d.UserID }, func(d rollupDoc, u userDoc) *loyalty.Standing {
		return &loyalty.Standing{UserID: d.UserID, Handle: u.Handle, Name: u.Name, AvatarURL: u.AvatarURL, Badge: u.Badge,
			Champion: u.Champion, Points: d.Points}
	})
}

// nonNilIDs is ids, or an empty list for none: $in needs an array, and a
// nil slice is encoded as null.
func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// idIn matches the documents whose _id is among ids.
func idIn(ids []string) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: nonNilIDs(ids)}}}}
}
