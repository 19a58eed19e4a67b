package mongo

import (
	"context"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/auth"
)

// Account data rights on MongoDB. A person's export reads each kind of
// their records by author (or voter, follower) in _id order, through an
// index per kind. Deleting an account is a sequence of steps, each atomic
// on its document and safe to repeat, ordered so an interruption never
// lets a sign-in of the deleted account in and a re-run converges:
//
//  1. the last admin is refused (through SetRole's admin count);
//  2. each sign-in's deleted_identities document (_id: the
//     auth.DeletedIdentityKey) is upserted, before the sign-in is unlinked,
//     so no moment exists in which it could create a new account silently;
//  3. the user document is anonymized in one update: placeholder name and
//     handle, no email or avatar, member, no segment, deleted_at, and its
//     identities replaced by "deleted:ID" (the unique identity index
//     cannot hold two users without one, and no provider is called
//     "deleted");
//  4. sessions, notifications and thread follows go (a session read in
//     between finds deleted_at and answers none);
//  5. the person's threads, posts, ideas and reviews are put on the change
//     feed, so search shows the new name.
func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.forumThreads(), "author", bson.D{{Key: "author_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.forumPosts(), "author", bson.D{{Key: "author_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.ideaComments(), "author", bson.D{{Key: "author_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.reviews(), "author_id", bson.D{{Key: "author_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.reviewVotes(), "voter", bson.D{{Key: "user_id", Value: 1}, {Key: "review_id", Value: 1}}, false, false},
			{db.forumFollows(), "follower", bson.D{{Key: "user_id", Value: 1}, {Key: "thread_id", Value: 1}}, false, false},
			{db.sessions, "user", bson.D{{Key: "user_id", Value: 1}}, false, false},
		}
	})
}

var _ account.Store = (*DB)(nil)

func (db *DB) deletedIdentities() *mongo.Collection { return db.db.Collection("deleted_identities") }

// deletedIdentityDoc is a sign-in of a deleted account.
type deletedIdentityDoc struct {
	Key       string `bson:"_id"`
	UserID    string `bson:"user_id"`
	DeletedAt int64  `bson:"deleted_at"`
	ByStaff   bool   `bson:"by_staff"`
}

// deletedPlaceholder is the identity a deleted user keeps (see step 3).
func deletedPlaceholder(userID string) string { return "deleted:" + userID }

// refuseDeletedIdentity refuses a sign-in whose account was deleted (see
// auth.Store.SignIn).
func (db *DB) refuseDeletedIdentity(ctx context.Context, id auth.Identity) error {
	var d deletedIdentityDoc
	err := db.deletedIdentities().FindOne(ctx, bson.D{{Key: "_id", Value: auth.DeletedIdentityKey(id.Provider, id.Subject)}}).Decode(&d)
	switch {
	case err == mongo.ErrNoDocuments:
		return nil
	case err != nil:
		return err
	case d.ByStaff:
		return auth.ErrAccountRemoved
	case !id.Fresh:
		return auth.ErrAccountDeleted
	}
	return nil
}

// DeleteAccount implements account.Store in the steps the file comment lists.
func (db *DB) DeleteAccount(ctx context.Context, d account.Deletion) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var u userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: d.UserID}}).Decode(&u); err != nil {
		return false, notFound(err, auth.ErrUserNotFound)
	}
	if u.DeletedAt == 0 && u.Role != string(townhall.RoleMember) {
		if err := db.SetRole(ctx, d.UserID, townhall.RoleMember); err != nil {
			return false, err
		}
	}
	if err := db.tombstoneIdentities(ctx, &u, d); err != nil {
		return false, err
	}
	placeholder := deletedPlaceholder(d.UserID)
	set := bson.D{{Key: "handle", Value: d.Handle}, {Key: "name", Value: d.Name}, {Key: "email", Value: ""}, {Key: "email_key", Value: ""},
		{Key: "avatar_url", Value: ""}, {Key: "role", Value: string(townhall.RoleMember)}, {Key: "verified", Value: false},
		{Key: "unread", Value: 0}, {Key: "identities", Value: []string{placeholder}}}
	// The profile they wrote goes too (reputation and badges stay with
	// the content, like votes; lists of people leave the account out).
	unset := bson.D{{Key: "$unset", Value: bson.D{{Key: "segment_id", Value: ""}, {Key: "bio", Value: ""}, {Key: "bio_html", Value: ""},
		{Key: "name_chosen", Value: ""}}}}
	// Only the call that sets deleted_at deleted the account: a concurrent
	// or repeated one finds it set and only finishes the other steps.
	res, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.UserID}, {Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: append(set, bson.E{Key: "deleted_at", Value: ms(d.At)})}, unset[0]})
	if err != nil {
		return false, err
	}
	first := res.ModifiedCount == 1
	if !first {
		if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.UserID}}, bson.D{{Key: "$set", Value: set}, unset[0]}); err != nil {
			return false, err
		}
	}
	for _, c := range []struct {
		coll  *mongo.Collection
		field string
	}{{db.sessions, "user_id"}, {db.notifications, "user_id"}, {db.forumFollows(), "user_id"},
		{db.mailPrefs(), "_id"}, {db.mailMessages(), "user_id"}} {
		if _, err := c.coll.DeleteMany(ctx, bson.D{{Key: c.field, Value: d.UserID}}); err != nil {
			return false, err
		}
	}
	for _, c := range []struct {
		kind string
		coll *mongo.Collection
	}{{townhall.KindThread, db.forumThreads()}, {townhall.KindPost, db.forumPosts()}, {townhall.KindIdea, db.ideas()},
		{townhall.KindReview, db.reviews()}} {
		for after := ""; ; {
			ids, err := findIDs(ctx, c.coll, bson.D{{Key: "author_id", Value: d.UserID}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}, 1, 500)
			if err != nil {
				return false, err
			}
			if err := db.recordChanges(ctx, c.kind, ids); err != nil {
				return false, err
			}
			if len(ids) < 500 {
				break
			}
			after = ids[len(ids)-1]
		}
	}
	return first, nil
}

// tombstoneIdentities records each of u's sign-ins as deleted (step 2).
func (db *DB) tombstoneIdentities(ctx context.Context, u *userDoc, d account.Deletion) error {
	for _, key := range u.Identities {
		if key == deletedPlaceholder(u.ID) {
			continue
		}
		provider, subject, _ := strings.Cut(key, ":")
		tomb := deletedIdentityDoc{Key: auth.DeletedIdentityKey(provider, subject), UserID: u.ID, DeletedAt: ms(d.At), ByStaff: d.ByStaff}
		if _, err := db.deletedIdentities().ReplaceOne(ctx, bson.D{{Key: "_id", Value: tomb.Key}}, tomb,
			options.Replace().SetUpsert(true)); err != nil && !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	return nil
}

// AccountRecords implements account.Store.
func (db *DB) AccountRecords(ctx context.Context, userID, kind, after string, limit int) ([]*account.Record, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	byAuthor := func(field, key string) bson.D {
		return bson.D{{Key: field, Value: userID}, {Key: key, Value: bson.D{{Key: "$gt", Value: after}}}}
	}
	page := func(key string) *options.FindOptionsBuilder {
		return options.Find().SetSort(bson.D{{Key: key, Value: 1}}).SetLimit(int64(limit))
	}
	switch kind {
	case account.SignIns:
		return db.signInRecords(ctx, userID, after, limit)
	case account.Threads:
		var docs []threadDoc
		if err := findAll(ctx, db.forumThreads(), byAuthor("author_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		names, err := stringsByID(ctx, db.forumCategories(), collect(docs, func(d threadDoc) string { return d.CategoryID }), "name")
		if err != nil {
			return nil, err
		}
		return convert(docs, func(d threadDoc) *account.Record {
			return &account.Record{ID: d.ID, ParentID: d.CategoryID, ParentTitle: names[d.CategoryID], Title: d.Title, Hidden: d.Hidden,
				CreatedAt: fromMS(d.CreatedAt)}
		}), nil
	case account.Posts:
		var docs []postDoc
		if err := findAll(ctx, db.forumPosts(), byAuthor("author_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		var threads []threadDoc
		if err := findAll(ctx, db.forumThreads(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in",
			Value: collect(docs, func(d postDoc) string { return d.ThreadID })}}}}, options.Find(), &threads); err != nil {
			return nil, err
		}
		byID := map[string]threadDoc{}
		for _, t := range threads {
			byID[t.ID] = t
		}
		return convert(docs, func(d postDoc) *account.Record {
			t := byID[d.ThreadID]
			return &account.Record{ID: d.ID, ParentID: d.ThreadID, ParentTitle: t.Title, Body: d.Source, Hidden: d.Hidden || t.Hidden,
				CreatedAt: fromMS(d.CreatedAt), EditedAt: optMS(d.EditedAt)}
		}), nil
	case account.Ideas:
		var docs []ideaDoc
		if err := findAll(ctx, db.ideas(), byAuthor("author_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		return convert(docs, func(d ideaDoc) *account.Record {
			r := &account.Record{ID: d.ID, Title: d.Title, Body: d.Body, Status: d.Status, Hidden: d.Hidden != nil, CreatedAt: fromMS(d.CreatedAt)}
			if d.MergedInto != "" {
				r.Status = "merged"
			}
			if d.UpdatedAt > d.CreatedAt {
				r.EditedAt = fromMS(d.UpdatedAt)
			}
			return r
		}), nil
	case account.Comments:
		var docs []ideaCommentDoc
		if err := findAll(ctx, db.ideaComments(), byAuthor("author_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		titles, err := stringsByID(ctx, db.ideas(), collect(docs, func(d ideaCommentDoc) string { return d.IdeaID }), "title")
		if err != nil {
			return nil, err
		}
		return convert(docs, func(d ideaCommentDoc) *account.Record {
			return &account.Record{ID: d.ID, ParentID: d.IdeaID, ParentTitle: titles[d.IdeaID], Body: d.Body, Hidden: d.Hidden != nil,
				Deleted: d.DeletedAt != 0, CreatedAt: fromMS(d.CreatedAt), EditedAt: optMS(d.EditedAt)}
		}), nil
	case account.IdeaVotes:
		var docs []ideaVoteDoc
		if err := findAll(ctx, db.ideaVotes(), byAuthor("user_id", "idea_id"), page("idea_id"), &docs); err != nil {
			return nil, err
		}
		titles, err := stringsByID(ctx, db.ideas(), collect(docs, func(d ideaVoteDoc) string { return d.IdeaID }), "title")
		if err != nil {
			return nil, err
		}
		return convert(docs, func(d ideaVoteDoc) *account.Record {
			return &account.Record{ID: d.IdeaID, Title: titles[d.IdeaID], CreatedAt: fromMS(d.CreatedAt)}
		}), nil
	case account.Reviews:
		var docs []reviewDoc
		if err := findAll(ctx, db.reviews(), byAuthor("author_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		names, err := stringsByID(ctx, db.products(), collect(docs, func(d reviewDoc) string { return d.ProductID }), "name")
		if err != nil {
			return nil, err
		}
		return convert(docs, func(d reviewDoc) *account.Record {
			r := &account.Record{ID: d.ID, ParentID: d.ProductID, ParentTitle: names[d.ProductID], Title: d.Title, Body: d.Body,
				Rating: d.Rating, CreatedAt: fromMS(d.CreatedAt)}
			if d.UpdatedAt > d.CreatedAt {
				r.EditedAt = fromMS(d.UpdatedAt)
			}
			return r
		}), nil
	case account.HelpfulVotes:
		var docs []struct {
			ReviewID  string `bson:"review_id"`
			CreatedAt int64  `bson:"created_at"`
		}
		if err := findAll(ctx, db.reviewVotes(), byAuthor("user_id", "review_id"), page("review_id"), &docs); err != nil {
			return nil, err
		}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.ReviewID
		}
		var revs []reviewDoc
		if err := findAll(ctx, db.reviews(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find(), &revs); err != nil {
			return nil, err
		}
		byID := map[string]reviewDoc{}
		for _, r := range revs {
			byID[r.ID] = r
		}
		names, err := stringsByID(ctx, db.products(), collect(revs, func(d reviewDoc) string { return d.ProductID }), "name")
		if err != nil {
			return nil, err
		}
		out := make([]*account.Record, len(docs))
		for i, d := range docs {
			r := byID[d.ReviewID]
			out[i] = &account.Record{ID: d.ReviewID, ParentID: r.ProductID, ParentTitle: names[r.ProductID], Title: r.Title, CreatedAt: fromMS(d.CreatedAt)}
		}
		return out, nil
	case account.Follows:
		var docs []struct {
			ThreadID  string `bson:"thread_id"`
			CreatedAt int64  `bson:"created_at"`
		}
		if err := findAll(ctx, db.forumFollows(), byAuthor("user_id", "thread_id"), page("thread_id"), &docs); err != nil {
			return nil, err
		}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.ThreadID
		}
		titles, err := stringsByID(ctx, db.forumThreads(), ids, "title")
		if err != nil {
			return nil, err
		}
		out := make([]*account.Record, len(docs))
		for i, d := range docs {
			out[i] = &account.Record{ID: d.ThreadID, Title: titles[d.ThreadID]}
		}
		return out, nil
	case account.Notifications:
		var docs []notificationDoc
		if err := findAll(ctx, db.notifications, byAuthor("user_id", "_id"), page("_id"), &docs); err != nil {
			return nil, err
		}
		return convert(docs, func(d notificationDoc) *account.Record {
			return &account.Record{ID: d.ID, Kind: d.Kind, Body: d.Text, URL: d.URL, Read: d.Read, CreatedAt: fromMS(d.CreatedAt)}
		}), nil
	}
	return nil, account.ErrUnknownKind
}

// signInRecords lists a user's sign-ins from their document.
func (db *DB) signInRecords(ctx context.Context, userID, after string, limit int) ([]*account.Record, error) {
	var u userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&u); err != nil {
		return nil, notFound(err, auth.ErrUserNotFound)
	}
	keys := append([]string(nil), u.Identities...)
	sort.Strings(keys)
	out := []*account.Record{}
	for _, k := range keys {
		if k <= after || k == deletedPlaceholder(userID) || len(out) == limit {
			continue
		}
		provider, _, _ := strings.Cut(k, ":")
		out = append(out, &account.Record{ID: k, Provider: provider})
	}
	return out, nil
}

// findAll decodes every document filter selects into out.
func findAll(ctx context.Context, coll *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, out any) error {
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// collect picks one string field of each document.
func collect[T any](docs []T, field func(T) string) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = field(d)
	}
	return out
}

// convert turns documents into records.
func convert[T any](docs []T, f func(T) *account.Record) []*account.Record {
	out := make([]*account.Record, len(docs))
	for i, d := range docs {
		out[i] = f(d)
	}
	return out
}
