package transfer

// The record types: one per kind of stored fact, with every field a store
// keeps, counters included, so a copy shows exactly what the source showed.
// Times are Unix milliseconds, as both stores keep them. A `col` tag names
// the field in the neutral format (the embedded store's column); ",null"
// marks an optional field whose zero value means "absent".

// Setting is one site-wide setting.
type Setting struct {
	Key   string `col:"key"`
	Value string `col:"value"`
}

// Segment is a customer segment with its vote weight.
type Segment struct {
	ID       string  `col:"id"`
	Name     string  `col:"name"`
	Weight   float64 `col:"weight"`
	Verified bool    `col:"verified"`
}

// User is a person, with the denormalized unread-notification count and
// the sign-ins that identify them. Identities travel with their user: on
// MongoDB they are part of the user document, under a unique index that
// cannot hold a user without one.
type User struct {
	ID        string `col:"id"`
	Handle    string `col:"handle"`
	Name      string `col:"name"`
	Email     string `col:"email"`
	AvatarURL string `col:"avatar_url"`
	Role      string `col:"role"`
	SegmentID string `col:"segment_id,null"`
	Verified  bool   `col:"verified"`
	Unread    int    `col:"unread"`
	CreatedAt int64  `col:"created_at"`
	// LastSeenAt and DaysVisited are the visit counters (see Visit).
	LastSeenAt  int64 `col:"last_seen_at"`
	DaysVisited int   `col:"days_visited"`
	// DeletedAt is set once the account was deleted (package account);
	// a deleted account has no identities.
	DeletedAt int64 `col:"deleted_at,null"`
	// Reputation, the highlighted badge, the VIP mark and the profile.
	Reputation  int    `col:"reputation"`
	Badge       string `col:"badge"`
	BadgeChosen bool   `col:"badge_chosen"`
	Champion    bool   `col:"champion"`
	NameChosen  bool   `col:"name_chosen"`
	Bio         string `col:"bio"`
	BioHTML     string `col:"bio_html"`
	// Trust level and sanctions (see package moderation); 0 is "none".
	TrustLevel     int    `col:"trust_level"`
	TrustLocked    bool   `col:"trust_locked"`
	SilencedUntil  int64  `col:"silenced_until"`
	SilenceReason  string `col:"silence_reason"`
	SuspendedUntil int64  `col:"suspended_until"`
	SuspendReason  string `col:"suspend_reason"`

	Identities []Identity
}

// Identity is a sign-in (a provider and the provider's id for the person).
type Identity struct {
	Provider string
	Subject  string
}

// DeletedIdentity is a sign-in of a deleted account, by
// auth.DeletedIdentityKey, so it is still refused after a move.
type DeletedIdentity struct {
	Key       string `col:"key"`
	UserID    string `col:"user_id"`
	DeletedAt int64  `col:"deleted_at"`
	ByStaff   bool   `col:"by_staff"`
}

// Visit is a day on which a person visited, in the site's time zone.
type Visit struct {
	Day    string `col:"day"`
	UserID string `col:"user_id"`
	At     int64  `col:"at"`
}

// Session is a signed-in browser, by the hash of its cookie token.
type Session struct {
	TokenHash string `col:"token_hash"`
	UserID    string `col:"user_id"`
	CreatedAt int64  `col:"created_at"`
	ExpiresAt int64  `col:"expires_at"`
}

// Notification is one entry of a user's notifications.
type Notification struct {
	ID        string `col:"id"`
	UserID    string `col:"user_id"`
	Kind      string `col:"kind"`
	Text      string `col:"text"`
	URL       string `col:"url"`
	CreatedAt int64  `col:"created_at"`
	Read      bool   `col:"read"`
	// Group and MailKey are email's: what the notification is about, and
	// the email that carried it ("" until one did).
	Group   string `col:"grp"`
	MailKey string `col:"mail_key"`
}

// Category is a forum category with its thread count.
type Category struct {
	ID          string `col:"id"`
	Slug        string `col:"slug"`
	Name        string `col:"name"`
	Description string `col:"description"`
	Position    int    `col:"position"`
	Questions   bool   `col:"questions"`
	Threads     int    `col:"threads"`
	CreatedAt   int64  `col:"created_at"`
}

// Thread is a forum thread with its counters, last activity and flags.
type Thread struct {
	ID             string `col:"id"`
	CategoryID     string `col:"category_id"`
	Title          string `col:"title"`
	AuthorID       string `col:"author_id"`
	Posts          int    `col:"posts"`
	Replies        int    `col:"replies"`
	LastPostID     string `col:"last_post_id"`
	LastPosterID   string `col:"last_poster_id"`
	LastActivity   int64  `col:"last_activity"`
	Pinned         bool   `col:"pinned"`
	Locked         bool   `col:"locked"`
	Hidden         bool   `col:"hidden"`
	AcceptedPostID string `col:"accepted_post_id,null"`
	CreatedAt      int64  `col:"created_at"`
	// Accepts counts the answers ever accepted; AcceptedAuthorID is the
	// accepted post's author.
	Accepts          int    `col:"accepts"`
	AcceptedAuthorID string `col:"accepted_author_id,null"`
}

// Post is a forum post (the thread's first post is position 1).
type Post struct {
	ID        string `col:"id"`
	ThreadID  string `col:"thread_id"`
	Position  int    `col:"position"`
	AuthorID  string `col:"author_id"`
	Source    string `col:"source"`
	HTML      string `col:"html"`
	Hidden    bool   `col:"hidden"`
	EditedAt  int64  `col:"edited_at,null"`
	CreatedAt int64  `col:"created_at"`
	Likes     int    `col:"likes"`
}

// Revision is an earlier version of an edited post.
type Revision struct {
	ID        string `col:"id"`
	PostID    string `col:"post_id"`
	Title     string `col:"title"`
	Source    string `col:"source"`
	EditorID  string `col:"editor_id"`
	CreatedAt int64  `col:"created_at"`
}

// Follow is a user following a thread.
type Follow struct {
	ThreadID string `col:"thread_id"`
	UserID   string `col:"user_id"`
}

// Idea is an idea with its counters, trend score, official response,
// merge and moderation state. Tags are comma-separated.
type Idea struct {
	ID               string  `col:"id"`
	AuthorID         string  `col:"author_id"`
	Title            string  `col:"title"`
	Body             string  `col:"body"`
	BodyHTML         string  `col:"body_html"`
	Tags             string  `col:"tags"`
	Status           string  `col:"status"`
	Votes            int     `col:"votes"`
	Comments         int     `col:"comments"`
	Trend            float64 `col:"trend"`
	MergedInto       string  `col:"merged_into,null"`
	ResponseBody     string  `col:"response_body"`
	ResponseHTML     string  `col:"response_html"`
	ResponseAuthorID string  `col:"response_author_id,null"`
	ResponseAt       int64   `col:"response_at,null"`
	StatusAt         int64   `col:"status_at,null"`
	RespondedAt      int64   `col:"responded_at,null"`
	CreatedAt        int64   `col:"created_at"`
	UpdatedAt        int64   `col:"updated_at"`
	HiddenAt         int64   `col:"hidden_at,null"`
	HiddenBy         string  `col:"hidden_by,null"`
	HiddenReason     string  `col:"hidden_reason"`
	ShippedAt        int64   `col:"shipped_at,null"`
}

// IdeaTag is an idea listed under one tag, with the sort keys the tag's
// board pages order by.
type IdeaTag struct {
	IdeaID string  `col:"idea_id"`
	Tag    string  `col:"tag"`
	Status string  `col:"status"`
	Votes  int     `col:"votes"`
	Trend  float64 `col:"trend"`
}

// TagCount is how many listed ideas carry a tag.
type TagCount struct {
	Tag   string `col:"tag"`
	Ideas int    `col:"ideas"`
}

// Vote is one person's vote for an idea, with their segment at the time.
type Vote struct {
	IdeaID    string `col:"idea_id"`
	UserID    string `col:"user_id"`
	SegmentID string `col:"segment_id"`
	CreatedAt int64  `col:"created_at"`
}

// SegmentVotes is an idea's vote count from one segment ("" for voters
// without one).
type SegmentVotes struct {
	IdeaID    string `col:"idea_id"`
	SegmentID string `col:"segment_id"`
	Votes     int    `col:"votes"`
}

// Comment is a comment on an idea, with its moderation state.
type Comment struct {
	ID           string `col:"id"`
	IdeaID       string `col:"idea_id"`
	AuthorID     string `col:"author_id"`
	Team         bool   `col:"team"`
	Body         string `col:"body"`
	BodyHTML     string `col:"body_html"`
	MergedFrom   string `col:"merged_from,null"`
	CreatedAt    int64  `col:"created_at"`
	HiddenAt     int64  `col:"hidden_at,null"`
	HiddenBy     string `col:"hidden_by,null"`
	HiddenReason string `col:"hidden_reason"`
	EditedAt     int64  `col:"edited_at,null"`
	DeletedAt    int64  `col:"deleted_at,null"`
	DeletedBy    string `col:"deleted_by,null"`
	Likes        int    `col:"likes"`
}

// StatusChange is one entry of an idea's status history.
type StatusChange struct {
	ID           string `col:"id"`
	IdeaID       string `col:"idea_id"`
	FromStatus   string `col:"from_status"`
	ToStatus     string `col:"to_status"`
	Reason       string `col:"reason"`
	Response     string `col:"response"`
	ResponseHTML string `col:"response_html"`
	ActorID      string `col:"actor_id"`
	CreatedAt    int64  `col:"created_at"`
}

// TitleWord is a word of a listed idea's title, for "similar ideas".
type TitleWord struct {
	Word   string `col:"word"`
	IdeaID string `col:"idea_id"`
}

// Product is a reviewed product with its rating aggregate.
type Product struct {
	ID              string `col:"id"`
	Slug            string `col:"slug"`
	Name            string `col:"name"`
	Description     string `col:"description"`
	DescriptionHTML string `col:"description_html"`
	ImageURL        string `col:"image_url"`
	Archived        bool   `col:"archived"`
	RatingCount     int    `col:"rating_count"`
	RatingSum       int    `col:"rating_sum"`
	Stars1          int    `col:"stars1"`
	Stars2          int    `col:"stars2"`
	Stars3          int    `col:"stars3"`
	Stars4          int    `col:"stars4"`
	Stars5          int    `col:"stars5"`
	CreatedAt       int64  `col:"created_at"`
	UpdatedAt       int64  `col:"updated_at"`
}

// Review is a product review with its helpful count and business response.
type Review struct {
	ID                string `col:"id"`
	ProductID         string `col:"product_id"`
	AuthorID          string `col:"author_id"`
	Rating            int    `col:"rating"`
	Title             string `col:"title"`
	Body              string `col:"body"`
	BodyHTML          string `col:"body_html"`
	Verified          bool   `col:"verified"`
	Helpful           int    `col:"helpful"`
	ResponseAuthorID  string `col:"response_author_id,null"`
	ResponseBody      string `col:"response_body"`
	ResponseHTML      string `col:"response_html"`
	ResponseCreatedAt int64  `col:"response_created_at,null"`
	ResponseUpdatedAt int64  `col:"response_updated_at,null"`
	CreatedAt         int64  `col:"created_at"`
	UpdatedAt         int64  `col:"updated_at"`
	HiddenAt          int64  `col:"hidden_at,null"`
	HiddenBy          string `col:"hidden_by,null"`
	HiddenReason      string `col:"hidden_reason"`
}

// HelpfulVote is one person marking a review helpful.
type HelpfulVote struct {
	ReviewID  string `col:"review_id"`
	UserID    string `col:"user_id"`
	CreatedAt int64  `col:"created_at"`
}

// Like is one person's like of a post or an idea comment; AuthorID is the
// liked item's author and Day the site's day it was given.
type Like struct {
	TargetID  string `col:"target_id"`
	UserID    string `col:"user_id"`
	ID        string `col:"id"`
	Kind      string `col:"kind"`
	AuthorID  string `col:"author_id"`
	Day       string `col:"day"`
	CreatedAt int64  `col:"created_at"`
}

// LikeDay counts the likes one person received on one day (the daily cap
// of like points counts them).
type LikeDay struct {
	UserID string `col:"user_id"`
	Day    string `col:"day"`
	Likes  int    `col:"likes"`
}

// ReputationEvent is one entry of a person's reputation ledger.
type ReputationEvent struct {
	ID         string `col:"id"`
	Key        string `col:"key"`
	UserID     string `col:"user_id"`
	Points     int    `col:"points"`
	Reason     string `col:"reason"`
	SourceKind string `col:"source_kind"`
	SourceID   string `col:"source_id"`
	ParentID   string `col:"parent_id"`
	CategoryID string `col:"category_id"`
	SegmentID  string `col:"segment_id"`
	Day        string `col:"day"`
	CreatedAt  int64  `col:"created_at"`
}

// ReputationRollup is what one person gained in one leaderboard period
// and scope.
type ReputationRollup struct {
	Period string `col:"period"`
	Scope  string `col:"scope"`
	UserID string `col:"user_id"`
	Points int    `col:"points"`
}

// UserBadge is a badge one person holds.
type UserBadge struct {
	UserID    string `col:"user_id"`
	Badge     string `col:"badge"`
	ID        string `col:"id"`
	GrantedBy string `col:"granted_by"`
	AwardedAt int64  `col:"awarded_at"`
}

// BadgeCount is how many people hold a badge.
type BadgeCount struct {
	Badge   string `col:"badge"`
	Holders int    `col:"holders"`
}

// Change is one entry of the search change feed, with its sequence number.
type Change struct {
	Seq      int64  `col:"seq"`
	Kind     string `col:"kind"`
	EntityID string `col:"entity_id"`
	At       int64  `col:"at"`
}

// Job is one job of the background queue (email, webhook deliveries), so
// mail that was not sent yet goes out from the new store. DueAt is absent
// once the job finished.
type Job struct {
	ID         string `col:"id"`
	Key        string `col:"key"`
	Queue      string `col:"queue"`
	Ref        string `col:"ref"`
	Payload    []byte `col:"payload"`
	State      string `col:"state"`
	Attempts   int    `col:"attempts"`
	RunAt      int64  `col:"run_at"`
	DueAt      int64  `col:"due_at,null"`
	LeaseOwner string `col:"lease_owner"`
	LeaseUntil int64  `col:"lease_until"`
	LastError  string `col:"last_error"`
	CreatedAt  int64  `col:"created_at"`
	UpdatedAt  int64  `col:"updated_at"`
	FinishedAt int64  `col:"finished_at"`
}

// AuditEntry is one staff-log entry; the log is append-only, so a copy
// carries every entry as it was written.
type AuditEntry struct {
	ID         string `col:"id"`
	At         int64  `col:"at"`
	ActorID    string `col:"actor_id"`
	ActorName  string `col:"actor_name"`
	ActorRole  string `col:"actor_role"`
	Action     string `col:"action"`
	TargetKind string `col:"target_kind"`
	TargetID   string `col:"target_id"`
	Target     string `col:"target"`
	Before     string `col:"before"`
	After      string `col:"after"`
	Reason     string `col:"reason"`
}

// InsightRow is one stored rollup of the insights (a day's figures, a
// day's contributions or the background pass's state). Rollups can always
// be recomputed from the facts; copying them means the destination shows
// the same figures at once, with its pass continuing from the same point.
type InsightRow struct {
	Key       string `col:"key"`
	Data      []byte `col:"data"`
	UpdatedAt int64  `col:"updated_at"`
}

// Flag is one member's report of one item, open or resolved.
type Flag struct {
	ID         string `col:"id"`
	Kind       string `col:"kind"`
	ItemID     string `col:"item_id"`
	UserID     string `col:"user_id"`
	AuthorID   string `col:"author_id"`
	Reason     string `col:"reason"`
	Text       string `col:"text"`
	Counts     bool   `col:"counts"`
	CreatedAt  int64  `col:"created_at"`
	ResolvedAt int64  `col:"resolved_at,null"`
	Resolution string `col:"resolution"`
}

// Case is an item's entry in the review queue with its open-flag counts.
type Case struct {
	Kind       string `col:"kind"`
	ItemID     string `col:"item_id"`
	AuthorID   string `col:"author_id"`
	Open       bool   `col:"open"`
	Held       bool   `col:"held"`
	AutoHidden bool   `col:"auto_hidden"`
	WasHidden  bool   `col:"was_hidden"`
	Flags      int    `col:"flags"`
	Counted    int    `col:"counted"`
	OpenedAt   int64  `col:"opened_at"`
	ResolvedAt int64  `col:"resolved_at,null"`
	Resolution string `col:"resolution"`
	ResolvedBy string `col:"resolved_by"`
}

// ModerationUser is a person's moderation record: trust-level inputs as
// last computed, flags received and items hidden.
type ModerationUser struct {
	UserID          string `col:"user_id"`
	Posts           int    `col:"posts"`
	Topics          int    `col:"topics"`
	AcceptedAnswers int    `col:"accepted_answers"`
	FlagsReceived   int    `col:"flags_received"`
	Hidden          int    `col:"hidden"`
}

// MailPreferences are one person's email choices; Kinds is JSON (kind
// name to instant, digest or off).
type MailPreferences struct {
	UserID    string `col:"user_id"`
	NoEmail   bool   `col:"no_email"`
	Digest    string `col:"digest"`
	Kinds     string `col:"kinds"`
	UpdatedAt int64  `col:"updated_at"`
}

// MailMessage is one composed email with its delivery state, so mail
// composed but not yet sent goes out from the new store with the same
// Message-ID. Headers is JSON.
type MailMessage struct {
	ID        string `col:"id"`
	Key       string `col:"key"`
	UserID    string `col:"user_id"`
	To        string `col:"to_addr"`
	Kind      string `col:"kind"`
	Subject   string `col:"subject"`
	MessageID string `col:"message_id"`
	Headers   string `col:"headers"`
	Text      string `col:"text_body"`
	HTML      string `col:"html_body"`
	State     string `col:"state"`
	Error     string `col:"error"`
	Attempts  int    `col:"attempts"`
	CreatedAt int64  `col:"created_at"`
	UpdatedAt int64  `col:"updated_at"`
	SentAt    int64  `col:"sent_at"`
}
