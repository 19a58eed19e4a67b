// Package transfer copies a whole Townhall store into another, whatever
// their backends: `townhall migrate-store` moves a site from the embedded
// store to MongoDB with it (and, for tests and restores, from one SQLite
// data directory into another).
//
// A Source exports a stream of typed records (records.go), one batch of one
// type at a time, types in dependency order (users before their sessions,
// ideas before their votes). A Destination imports each batch idempotently:
// every record is upserted by its key, so running the copy again changes
// nothing and duplicates nothing, and a run interrupted halfway is finished
// by running it again. Counters and aggregates (votes, replies, rating sums,
// unread counts) are copied as they are, not recomputed, and IDs are kept,
// so links, sessions and cookies keep working.
//
// The search change feed is copied too, with its sequence numbers: a node
// that starts on the destination with an empty search index builds it by
// replaying the feed, and an index built from the source stays valid
// (its checkpoint names the same sequence in the copy).
//
// Copy refuses a destination that holds other data: it must be empty, or a
// copy made by an earlier run that nothing has written to since (see
// Marker).
package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Record is a pointer to one of the record types in records.go.
type Record = any

// Type describes one kind of record.
type Type struct {
	// Name is the kind's name: the embedded store's table.
	Name string
	// Key lists the fields (by col tag) that identify a record.
	Key []string
	// New returns a pointer to a zero record of this type.
	New func() Record
}

// Types lists every kind of record in the order a copy writes them:
// whatever a record refers to comes before it.
var Types = []Type{
	{"settings", []string{"key"}, func() Record { return new(Setting) }},
	{"segments", []string{"id"}, func() Record { return new(Segment) }},
	{"users", []string{"id"}, func() Record { return new(User) }},
	{"deleted_identities", []string{"key"}, func() Record { return new(DeletedIdentity) }},
	{"sessions", []string{"token_hash"}, func() Record { return new(Session) }},
	{"visits", []string{"day", "user_id"}, func() Record { return new(Visit) }},
	{"notifications", []string{"id"}, func() Record { return new(Notification) }},
	{"forum_categories", []string{"id"}, func() Record { return new(Category) }},
	{"forum_threads", []string{"id"}, func() Record { return new(Thread) }},
	{"forum_posts", []string{"id"}, func() Record { return new(Post) }},
	{"forum_revisions", []string{"id"}, func() Record { return new(Revision) }},
	{"forum_follows", []string{"thread_id", "user_id"}, func() Record { return new(Follow) }},
	{"ideas", []string{"id"}, func() Record { return new(Idea) }},
	{"idea_tags", []string{"idea_id", "tag"}, func() Record { return new(IdeaTag) }},
	{"idea_tag_counts", []string{"tag"}, func() Record { return new(TagCount) }},
	{"idea_votes", []string{"idea_id", "user_id"}, func() Record { return new(Vote) }},
	{"idea_segment_votes", []string{"idea_id", "segment_id"}, func() Record { return new(SegmentVotes) }},
	{"idea_comments", []string{"id"}, func() Record { return new(Comment) }},
	{"idea_status_changes", []string{"id"}, func() Record { return new(StatusChange) }},
	{"idea_title_words", []string{"word", "idea_id"}, func() Record { return new(TitleWord) }},
	{"idea_release_notes", []string{"idea_id"}, func() Record { return new(ReleaseNote) }},
	{"idea_proxy_votes", []string{"idea_id", "user_id"}, func() Record { return new(ProxyVote) }},
	{"products", []string{"id"}, func() Record { return new(Product) }},
	{"reviews", []string{"id"}, func() Record { return new(Review) }},
	{"review_votes", []string{"review_id", "user_id"}, func() Record { return new(HelpfulVote) }},
	{"likes", []string{"target_id", "user_id"}, func() Record { return new(Like) }},
	{"like_days", []string{"user_id", "day"}, func() Record { return new(LikeDay) }},
	{"reputation_events", []string{"id"}, func() Record { return new(ReputationEvent) }},
	{"reputation_rollups", []string{"period", "scope", "user_id"}, func() Record { return new(ReputationRollup) }},
	{"user_badges", []string{"user_id", "badge"}, func() Record { return new(UserBadge) }},
	{"badge_counts", []string{"badge"}, func() Record { return new(BadgeCount) }},
	{"api_tokens", []string{"id"}, func() Record { return new(APIToken) }},
	{"jobs", []string{"id"}, func() Record { return new(Job) }},
	{"mail_preferences", []string{"user_id"}, func() Record { return new(MailPreferences) }},
	{"mail_messages", []string{"id"}, func() Record { return new(MailMessage) }},
	{"webhook_endpoints", []string{"id"}, func() Record { return new(WebhookEndpoint) }},
	{"webhook_attempts", []string{"id"}, func() Record { return new(WebhookAttempt) }},
	{"audit_log", []string{"id"}, func() Record { return new(AuditEntry) }},
	{"insight_rows", []string{"key"}, func() Record { return new(InsightRow) }},
	{"flags", []string{"id"}, func() Record { return new(Flag) }},
	{"moderation_cases", []string{"kind", "item_id"}, func() Record { return new(Case) }},
	{"moderation_users", []string{"user_id"}, func() Record { return new(ModerationUser) }},
	{"changes", []string{"seq"}, func() Record { return new(Change) }},
}

// Batch is up to BatchSize records of one type, in key order.
type Batch struct {
	Type    Type
	Records []Record
}

// BatchSize is how many records a source puts in one batch.
const BatchSize = 500

// Source is a store that can export everything it holds.
type Source interface {
	// Export reads one consistent snapshot: it calls start with the number
	// of records it will emit, then emit with every batch, in Types order.
	Export(ctx context.Context, start func(total int), emit func(Batch) error) error
}

// Destination is a store that can import records idempotently.
type Destination interface {
	// Empty reports whether the store holds no users and no changes, as a
	// store nobody has used yet.
	Empty(ctx context.Context) (bool, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	// LastChange is the newest change-feed sequence.
	LastChange(ctx context.Context) (int64, error)
	// BeginImport prepares for a copy whose records may arrive before what
	// they refer to is complete (an idea merged into a newer one).
	BeginImport(ctx context.Context) error
	// Import upserts every record of the batch by its key.
	Import(ctx context.Context, b Batch) error
	// FinishImport checks and repairs what the store derives from the
	// records (sequence counters, admin counts, references).
	FinishImport(ctx context.Context) error
}

// MarkerKey is the destination setting in which Copy records what it is
// doing. It is never copied from a source.
const MarkerKey = "migrate_store"

// Marker is what Copy records in the destination: where the data came
// from, whether the copy finished, and the destination's change-feed
// position when it did, so a later run can tell whether anything has been
// written to the destination since.
type Marker struct {
	Source     string    `json:"source"`
	Done       bool      `json:"done"`
	LastChange int64     `json:"last_change"`
	At         time.Time `json:"at"`
}

// RefusedError is a copy that was not started because the destination
// holds data of its own; nothing was written.
type RefusedError struct{ msg string }

func (e *RefusedError) Error() string { return e.msg }

// Result says what a copy did.
type Result struct {
	Records int            // records written (upserted)
	ByType  map[string]int // per Type.Name
	Again   bool           // the destination held an earlier copy
}

// Copy copies every record of src into dst. source describes src for the
// marker and messages; progress, when not nil, is called after each batch.
func Copy(ctx context.Context, src Source, source string, dst Destination, progress func(done, total int)) (*Result, error) {
	res := &Result{ByType: map[string]int{}}
	prev, err := readMarker(ctx, dst)
	if err != nil {
		return nil, err
	}
	switch {
	case prev == nil:
		empty, err := dst.Empty(ctx)
		if err != nil {
			return nil, err
		}
		if !empty {
			return nil, &RefusedError{"the destination already holds a site (users or content) that migrate-store did not copy there; copy into an empty database or data directory"}
		}
	case prev.Done:
		last, err := dst.LastChange(ctx)
		if err != nil {
			return nil, err
		}
		if last != prev.LastChange {
			return nil, &RefusedError{fmt.Sprintf("the destination has been written to since migrate-store copied %s there at %s (its change feed moved from %d to %d); copying again would overwrite those writes with older data",
				prev.Source, prev.At.Format(time.RFC3339), prev.LastChange, last)}
		}
		res.Again = true
	default:
		res.Again = true // an interrupted copy: finish it
	}
	if err := writeMarker(ctx, dst, Marker{Source: source, At: time.Now().UTC()}); err != nil {
		return nil, err
	}
	if err := dst.BeginImport(ctx); err != nil {
		return nil, err
	}
	total := 0
	err = src.Export(ctx, func(n int) {
		total = n
		if progress != nil {
			progress(0, total)
		}
	}, func(b Batch) error {
		if b.Type.Name == "settings" {
			b.Records = withoutMarker(b.Records)
		}
		if err := dst.Import(ctx, b); err != nil {
			return fmt.Errorf("import %s: %w", b.Type.Name, err)
		}
		res.Records += len(b.Records)
		res.ByType[b.Type.Name] += len(b.Records)
		if progress != nil {
			progress(min(res.Records, total), total)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if err := dst.FinishImport(ctx); err != nil {
		return res, err
	}
	last, err := dst.LastChange(ctx)
	if err != nil {
		return res, err
	}
	return res, writeMarker(ctx, dst, Marker{Source: source, Done: true, LastChange: last, At: time.Now().UTC()})
}

func withoutMarker(recs []Record) []Record {
	out := recs[:0:0]
	for _, r := range recs {
		if s, ok := r.(*Setting); !ok || s.Key != MarkerKey {
			out = append(out, r)
		}
	}
	return out
}

func readMarker(ctx context.Context, dst Destination) (*Marker, error) {
	v, err := dst.Setting(ctx, MarkerKey)
	if err != nil || v == "" {
		return nil, err
	}
	var m Marker
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("the destination's %s setting is not readable: %w", MarkerKey, err)
	}
	return &m, nil
}

func writeMarker(ctx context.Context, dst Destination, m Marker) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return dst.SetSetting(ctx, MarkerKey, string(b))
}

// ErrUnknownType is returned by a destination for a batch type it does
// not know (a source newer than the destination's code).
var ErrUnknownType = errors.New("unknown record type")
