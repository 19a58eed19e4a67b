package mongo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/store/transfer"
)

// MongoDB as the destination of `townhall migrate-store`. The transfer
// records are the relational facts; here each becomes the document this
// package's model keeps (see the package doc): most map one record to one
// document under the same key (a user with its identities), some fold into
// their parent (segment vote counts and title words into ideas), and
// idea_tags rows, which only the embedded store needs for its tag boards,
// have no counterpart (an idea's tags array serves them). Every write is an
// upsert by the record's key, so importing the same records again leaves
// the same documents.

var _ transfer.Destination = (*DB)(nil)

// importTimeout bounds one batch: hundreds of upserts in one bulk write.
const importTimeout = 2 * time.Minute

// Empty implements transfer.Destination.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	for _, c := range []*mongo.Collection{db.users, db.changes} {
		err := c.FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if err == nil {
			return false, nil
		}
		if err != mongo.ErrNoDocuments {
			return false, err
		}
	}
	return true, nil
}

// BeginImport implements transfer.Destination; MongoDB needs no preparation.
func (db *DB) BeginImport(ctx context.Context) error { return nil }

// FinishImport implements transfer.Destination: the change-feed counter is
// raised to the copied feed's newest sequence, so the next write continues
// after it, and the admin bootstrap and count are set from the copied users
// (an import may change roles of users that already existed).
func (db *DB) FinishImport(ctx context.Context) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var newest changeDoc
	err := db.changes.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&newest)
	if err != nil && err != mongo.ErrNoDocuments {
		return err
	}
	if err == nil {
		if _, err := db.counters.UpdateOne(ctx, bson.D{{Key: "_id", Value: "changes"}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "n", Value: newest.Seq}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
			return err
		}
	}
	if err := db.ensureBootstrap(ctx); err != nil {
		return err
	}
	n, err := db.users.CountDocuments(ctx, bson.D{{Key: "role", Value: string(townhall.RoleAdmin)}})
	if err != nil {
		return err
	}
	_, err = db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaAdmins}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: n}}}}, options.UpdateOne().SetUpsert(true))
	return err
}

// Import implements transfer.Destination: one unordered bulk write of
// upserts per batch.
func (db *DB) Import(ctx context.Context, b transfer.Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, importTimeout)
	defer cancel()
	coll, models, err := db.importModels(ctx, b)
	if err != nil || len(models) == 0 {
		return err
	}
	_, err = coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return err
}

func replace(key any, doc any) mongo.WriteModel {
	return mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: key}}).SetReplacement(doc).SetUpsert(true)
}

// importModels turns a batch into the writes of one collection.
func (db *DB) importModels(ctx context.Context, b transfer.Batch) (*mongo.Collection, []mongo.WriteModel, error) {
	var models []mongo.WriteModel
	add := func(m mongo.WriteModel) { models = append(models, m) }
	if coll, ok := db.integrationModels(b, add); ok {
		return coll, models, nil
	}
	switch b.Type.Name {
	case "settings":
		for _, r := range b.Records {
			s := r.(*transfer.Setting)
			add(replace(s.Key, bson.D{{Key: "value", Value: s.Value}}))
		}
		return db.settings, models, nil
	case "segments":
		for _, r := range b.Records {
			s := r.(*transfer.Segment)
			add(replace(s.ID, segmentDoc{s.ID, s.Name, strings.ToLower(s.Name), s.Weight, s.Verified}))
		}
		return db.segments, models, nil
	case "users":
		for _, r := range b.Records {
			u := r.(*transfer.User)
			ids := make([]string, len(u.Identities))
			for i, id := range u.Identities {
				ids[i] = id.Provider + ":" + id.Subject
			}
			if len(ids) == 0 && u.DeletedAt != 0 {
				ids = []string{deletedPlaceholder(u.ID)} // see accounts.go
			}
			add(replace(u.ID, userDoc{ID: u.ID, Handle: u.Handle, Name: u.Name, Email: u.Email, EmailKey: emailKey(u.Email), AvatarURL: u.AvatarURL, Role: u.Role,
				SegmentID: u.SegmentID, Verified: u.Verified, Unread: u.Unread, CreatedAt: u.CreatedAt, Identities: ids,
				LastSeenAt: u.LastSeenAt, DaysVisited: u.DaysVisited, DeletedAt: u.DeletedAt, TrustLevel: u.TrustLevel, TrustLocked: u.TrustLocked,
				SilencedUntil: u.SilencedUntil, SilenceReason: u.SilenceReason, SuspendedUntil: u.SuspendedUntil, SuspendReason: u.SuspendReason,
				Reputation: u.Reputation, Badge: u.Badge, BadgeChosen: u.BadgeChosen, Champion: u.Champion, NameChosen: u.NameChosen, Bio: u.Bio, BioHTML: u.BioHTML}))
		}
		return db.users, models, nil
	case "deleted_identities":
		for _, r := range b.Records {
			d := r.(*transfer.DeletedIdentity)
			add(replace(d.Key, deletedIdentityDoc{d.Key, d.UserID, d.DeletedAt, d.ByStaff}))
		}
		return db.deletedIdentities(), models, nil
	case "sessions":
		for _, r := range b.Records {
			s := r.(*transfer.Session)
			add(replace(s.TokenHash, sessionDoc{s.TokenHash, s.UserID, fromMS(s.CreatedAt), fromMS(s.ExpiresAt)}))
		}
		return db.sessions, models, nil
	case "visits":
		for _, r := range b.Records {
			v := r.(*transfer.Visit)
			add(replace(visitKey(v.Day, v.UserID), visitDoc{visitKey(v.Day, v.UserID), v.Day, v.UserID, v.At}))
		}
		return db.visits(), models, nil
	case "notifications":
		for _, r := range b.Records {
			n := r.(*transfer.Notification)
			add(replace(n.ID, notificationDoc{n.ID, n.UserID, n.Kind, n.Text, n.URL, n.CreatedAt, n.Read, n.Group, n.MailKey}))
		}
		return db.notifications, models, nil
	case "forum_categories":
		for _, r := range b.Records {
			c := r.(*transfer.Category)
			add(replace(c.ID, categoryDoc{c.ID, c.Slug, c.Name, c.Description, c.Position, c.Questions, c.Threads, c.CreatedAt}))
		}
		return db.forumCategories(), models, nil
	case "forum_threads":
		for _, r := range b.Records {
			t := r.(*transfer.Thread)
			// last_position only has to be at least the last post's
			// position and below the next reply's: positions handed out
			// (posts) is both.
			add(replace(t.ID, threadDoc{ID: t.ID, CategoryID: t.CategoryID, Title: t.Title, AuthorID: t.AuthorID, Posts: t.Posts,
				Replies: t.Replies, LastPostID: t.LastPostID, LastPosterID: t.LastPosterID, LastPosition: t.Posts,
				LastActivity: t.LastActivity, Pinned: t.Pinned, Locked: t.Locked, Hidden: t.Hidden, AcceptedID: t.AcceptedPostID, CreatedAt: t.CreatedAt,
				Accepts: t.Accepts, AcceptedAuthorID: t.AcceptedAuthorID}))
		}
		return db.forumThreads(), models, nil
	case "forum_posts":
		for _, r := range b.Records {
			p := r.(*transfer.Post)
			add(replace(p.ID, postDoc{p.ID, p.ThreadID, p.Position, p.AuthorID, p.Source, p.HTML, p.Hidden, p.EditedAt, p.CreatedAt, p.Likes}))
		}
		return db.forumPosts(), models, nil
	case "forum_revisions":
		for _, r := range b.Records {
			v := r.(*transfer.Revision)
			add(replace(v.ID, revisionDoc{v.ID, v.PostID, v.Title, v.Source, v.EditorID, v.CreatedAt}))
		}
		return db.forumRevisions(), models, nil
	case "forum_follows":
		for _, r := range b.Records {
			f := r.(*transfer.Follow)
			add(mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "thread_id", Value: f.ThreadID}, {Key: "user_id", Value: f.UserID}}).
				SetUpdate(bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: ms(db.now())}}}}).SetUpsert(true))
		}
		return db.forumFollows(), models, nil
	case "ideas":
		kept, err := db.keptIdeaFolds(ctx, b.Records)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range b.Records {
			i := r.(*transfer.Idea)
			d := ideaFromRecord(i)
			if k, ok := kept[i.ID]; ok {
				d.Words, d.SegVotes = k.Words, k.SegVotes
			}
			if d.Words == nil {
				d.Words = []string{}
			}
			if d.SegVotes == nil {
				d.SegVotes = map[string]int{}
			}
			add(replace(i.ID, d))
		}
		return db.ideas(), models, nil
	case "idea_tags":
		return db.ideas(), nil, nil // derived from each idea's tags here
	case "idea_tag_counts":
		for _, r := range b.Records {
			t := r.(*transfer.TagCount)
			add(replace(t.Tag, bson.D{{Key: "ideas", Value: t.Ideas}}))
		}
		return db.ideaTags(), models, nil
	case "idea_votes":
		for _, r := range b.Records {
			v := r.(*transfer.Vote)
			add(replace(v.IdeaID+":"+v.UserID, ideaVoteDoc{v.IdeaID + ":" + v.UserID, v.IdeaID, v.UserID, v.SegmentID, v.CreatedAt}))
		}
		return db.ideaVotes(), models, nil
	case "idea_segment_votes":
		for _, r := range b.Records {
			s := r.(*transfer.SegmentVotes)
			add(mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: s.IdeaID}}).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "seg_votes." + segKey(s.SegmentID), Value: s.Votes}}}}))
		}
		return db.ideas(), models, nil
	case "idea_comments":
		for _, r := range b.Records {
			c := r.(*transfer.Comment)
			d := ideaCommentDoc{ID: c.ID, IdeaID: c.IdeaID, AuthorID: c.AuthorID, Team: c.Team, Body: c.Body, BodyHTML: c.BodyHTML,
				MergedFrom: c.MergedFrom, CreatedAt: c.CreatedAt, EditedAt: c.EditedAt, DeletedAt: c.DeletedAt, DeletedBy: c.DeletedBy, Likes: c.Likes}
			if c.HiddenAt != 0 {
				d.Hidden = &hiddenDoc{ByID: c.HiddenBy, Reason: c.HiddenReason, At: c.HiddenAt}
			}
			add(replace(c.ID, d))
		}
		return db.ideaComments(), models, nil
	case "idea_status_changes":
		for _, r := range b.Records {
			s := r.(*transfer.StatusChange)
			add(replace(s.ID, statusChangeDoc{s.ID, s.IdeaID, s.FromStatus, s.ToStatus, s.Reason, s.Response, s.ResponseHTML, s.ActorID, s.CreatedAt}))
		}
		return db.ideaStatus(), models, nil
	case "idea_title_words":
		for _, r := range b.Records {
			w := r.(*transfer.TitleWord)
			add(mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: w.IdeaID}}).
				SetUpdate(bson.D{{Key: "$addToSet", Value: bson.D{{Key: "words", Value: w.Word}}}}))
		}
		return db.ideas(), models, nil
	case "products":
		for _, r := range b.Records {
			p := r.(*transfer.Product)
			add(replace(p.ID, productDoc{ID: p.ID, Slug: p.Slug, Name: p.Name, NameKey: strings.ToLower(p.Name), Description: p.Description,
				DescriptionHTML: p.DescriptionHTML, ImageURL: p.ImageURL, Archived: p.Archived,
				Rating: ratingDoc{Count: p.RatingCount, Sum: p.RatingSum, Stars: map[string]int{
					"1": p.Stars1, "2": p.Stars2, "3": p.Stars3, "4": p.Stars4, "5": p.Stars5}},
				CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}))
		}
		return db.products(), models, nil
	case "reviews":
		for _, r := range b.Records {
			v := r.(*transfer.Review)
			d := reviewDoc{ID: v.ID, ProductID: v.ProductID, AuthorID: v.AuthorID, Rating: v.Rating, Title: v.Title, Body: v.Body,
				BodyHTML: v.BodyHTML, Verified: v.Verified, Helpful: v.Helpful, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
			if v.ResponseAuthorID != "" {
				d.Response = &responseDoc{AuthorID: v.ResponseAuthorID, Body: v.ResponseBody, BodyHTML: v.ResponseHTML,
					CreatedAt: v.ResponseCreatedAt, UpdatedAt: v.ResponseUpdatedAt}
			}
			if v.HiddenAt != 0 {
				d.Hidden = &hiddenDoc{ByID: v.HiddenBy, Reason: v.HiddenReason, At: v.HiddenAt}
			}
			add(replace(v.ID, d))
		}
		return db.reviews(), models, nil
	case "review_votes":
		for _, r := range b.Records {
			v := r.(*transfer.HelpfulVote)
			add(replace(voteKey(v.ReviewID, v.UserID), bson.D{{Key: "review_id", Value: v.ReviewID}, {Key: "user_id", Value: v.UserID}, {Key: "created_at", Value: v.CreatedAt}}))
		}
		return db.reviewVotes(), models, nil
	case "likes":
		for _, r := range b.Records {
			l := r.(*transfer.Like)
			add(replace(likeKey(l.TargetID, l.UserID), likeDoc{likeKey(l.TargetID, l.UserID), l.ID, l.Kind, l.TargetID, l.UserID, l.AuthorID, l.Day, l.CreatedAt}))
		}
		return db.likes(), models, nil
	case "like_days":
		for _, r := range b.Records {
			d := r.(*transfer.LikeDay)
			add(replace(d.UserID+":"+d.Day, bson.D{{Key: "user_id", Value: d.UserID}, {Key: "day", Value: d.Day}, {Key: "likes", Value: d.Likes}}))
		}
		return db.likeDays(), models, nil
	case "reputation_events":
		for _, r := range b.Records {
			e := r.(*transfer.ReputationEvent)
			add(replace(e.Key, eventDoc{e.Key, e.ID, e.UserID, e.Points, e.Reason, e.SourceKind, e.SourceID, e.ParentID, e.CategoryID,
				e.SegmentID, e.Day, e.CreatedAt}))
		}
		return db.reputationEvents(), models, nil
	case "reputation_rollups":
		for _, r := range b.Records {
			x := r.(*transfer.ReputationRollup)
			k := rollupKey(loyalty.Rollup{Period: x.Period, Scope: x.Scope, UserID: x.UserID})
			add(replace(k, rollupDoc{k, x.Period, x.Scope, x.UserID, x.Points}))
		}
		return db.reputationRollups(), models, nil
	case "user_badges":
		for _, r := range b.Records {
			a := r.(*transfer.UserBadge)
			add(replace(awardKey(a.UserID, a.Badge), awardDoc{awardKey(a.UserID, a.Badge), a.ID, a.UserID, a.Badge, a.GrantedBy, a.AwardedAt}))
		}
		return db.userBadges(), models, nil
	case "badge_counts":
		for _, r := range b.Records {
			c := r.(*transfer.BadgeCount)
			add(replace(c.Badge, bson.D{{Key: "holders", Value: c.Holders}}))
		}
		return db.badgeCounts(), models, nil
	case "jobs":
		for _, r := range b.Records {
			j := r.(*transfer.Job)
			d := jobDoc{ID: j.ID, Key: j.Key, Queue: j.Queue, Ref: j.Ref, Payload: j.Payload, State: j.State, Attempts: j.Attempts,
				RunAt: j.RunAt, LeaseOwner: j.LeaseOwner, LeaseUntil: j.LeaseUntil, LastError: j.LastError,
				CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt}
			if j.DueAt != 0 {
				d.DueAt = &j.DueAt
			}
			add(replace(j.ID, d))
		}
		return db.jobs(), models, nil
	case "mail_preferences":
		for _, r := range b.Records {
			p := r.(*transfer.MailPreferences)
			d, err := prefsDocFromJSON(p.UserID, p.NoEmail, p.Digest, p.Kinds, p.UpdatedAt)
			if err != nil {
				return nil, nil, fmt.Errorf("mail preferences of %s: %w", p.UserID, err)
			}
			add(replace(p.UserID, d))
		}
		return db.mailPrefs(), models, nil
	case "mail_messages":
		for _, r := range b.Records {
			m := r.(*transfer.MailMessage)
			d := messageDoc{ID: m.ID, Key: m.Key, UserID: m.UserID, To: m.To, Kind: m.Kind, Subject: m.Subject, MessageID: m.MessageID,
				Text: m.Text, HTML: m.HTML, State: m.State, Error: m.Error, Attempts: m.Attempts,
				CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt}
			if err := json.Unmarshal([]byte(m.Headers), &d.Headers); err != nil {
				return nil, nil, fmt.Errorf("headers of email %s: %w", m.ID, err)
			}
			add(replace(m.ID, d))
		}
		return db.mailMessages(), models, nil
	case "audit_log":
		for _, r := range b.Records {
			e := r.(*transfer.AuditEntry)
			add(replace(e.ID, auditDoc{e.ID, e.At, e.ActorID, e.ActorName, e.ActorRole, e.Action, e.TargetKind, e.TargetID,
				e.Target, e.Before, e.After, e.Reason}))
		}
		return db.auditLog(), models, nil
	case "insight_rows":
		for _, r := range b.Records {
			x := r.(*transfer.InsightRow)
			add(replace(x.Key, insightRowDoc{x.Key, x.Data, x.UpdatedAt}))
		}
		return db.insightRows(), models, nil
	case "flags":
		for _, r := range b.Records {
			f := r.(*transfer.Flag)
			add(replace(f.ID, flagDoc{ID: f.ID, CaseID: moderation.CaseKey(f.Kind, f.ItemID), Kind: f.Kind, ItemID: f.ItemID, UserID: f.UserID,
				AuthorID: f.AuthorID, Reason: f.Reason, Text: f.Text, Counts: f.Counts, CreatedAt: f.CreatedAt, ResolvedAt: f.ResolvedAt,
				Resolution: f.Resolution}))
		}
		return db.flags(), models, nil
	case "moderation_cases":
		for _, r := range b.Records {
			c := r.(*transfer.Case)
			key := moderation.CaseKey(c.Kind, c.ItemID)
			add(replace(key, caseDoc{ID: key, Kind: c.Kind, ItemID: c.ItemID, AuthorID: c.AuthorID, Open: c.Open, Held: c.Held,
				AutoHidden: c.AutoHidden, WasHidden: c.WasHidden, Flags: c.Flags, Counted: c.Counted, OpenedAt: c.OpenedAt,
				ResolvedAt: c.ResolvedAt, Resolution: c.Resolution, ResolvedBy: c.ResolvedBy}))
		}
		return db.cases(), models, nil
	case "moderation_users":
		for _, r := range b.Records {
			u := r.(*transfer.ModerationUser)
			add(replace(u.UserID, modUserDoc{ID: u.UserID, Posts: u.Posts, Topics: u.Topics, AcceptedAnswers: u.AcceptedAnswers,
				FlagsReceived: u.FlagsReceived, Hidden: u.Hidden}))
		}
		return db.modUsers(), models, nil
	case "changes":
		for _, r := range b.Records {
			c := r.(*transfer.Change)
			add(replace(c.Seq, changeDoc{c.Seq, c.Kind, c.EntityID, c.At}))
		}
		return db.changes, models, nil
	}
	return nil, nil, fmt.Errorf("%w %q", transfer.ErrUnknownType, b.Type.Name)
}

// ideaFromRecord is the idea document for a copied idea, without the
// folded title words and segment vote counts. "listed" and "awaiting" lead
// the board and triage indexes: listed is neither merged nor hidden;
// awaiting is listed without a first response.
func ideaFromRecord(i *transfer.Idea) ideaDoc {
	d := ideaDoc{ID: i.ID, AuthorID: i.AuthorID, Title: i.Title, Body: i.Body, BodyHTML: i.BodyHTML, Tags: []string{},
		Status: i.Status, Votes: i.Votes, Comments: i.Comments, Trend: i.Trend, MergedInto: i.MergedInto,
		StatusAt: i.StatusAt, RespondedAt: i.RespondedAt, ShippedAt: i.ShippedAt, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if i.Tags != "" {
		d.Tags = strings.Split(i.Tags, ",")
	}
	d.Listed = i.MergedInto == "" && i.HiddenAt == 0
	d.Awaiting = d.Listed && i.RespondedAt == 0
	if i.ResponseBody != "" || i.ResponseAt != 0 {
		d.Response = &ideaResponse{Body: i.ResponseBody, BodyHTML: i.ResponseHTML, AuthorID: i.ResponseAuthorID, At: i.ResponseAt}
	}
	if i.HiddenAt != 0 {
		d.Hidden = &hiddenDoc{ByID: i.HiddenBy, Reason: i.HiddenReason, At: i.HiddenAt}
	}
	return d
}

func recordIDs[T any](recs []transfer.Record, id func(*T) string) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = id(r.(*T))
	}
	return ids
}

type ideaFolds struct {
	ID       string         `bson:"_id"`
	Words    []string       `bson:"words"`
	SegVotes map[string]int `bson:"seg_votes"`
}

// keptIdeaFolds reads the title words and segment counts already folded
// into the batch's ideas.
func (db *DB) keptIdeaFolds(ctx context.Context, recs []transfer.Record) (map[string]ideaFolds, error) {
	ids := recordIDs(recs, func(i *transfer.Idea) string { return i.ID })
	cur, err := db.ideas().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "words", Value: 1}, {Key: "seg_votes", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []ideaFolds
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make(map[string]ideaFolds, len(docs))
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}
