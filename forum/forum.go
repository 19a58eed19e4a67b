// Package forum is Townhall's discussion board: admin-managed categories,
// threads of Markdown posts, Q&A threads with an accepted answer, thread
// subscriptions and @mentions. The Service owns validation and
// authorization; the Store interface is what a backend implements.
package forum

import (
	"context"
	"html/template"
	"time"

	"github.com/townhall/townhall"
)

// Limits of user input, in runes.
const (
	MinTitle    = 3
	MaxTitle    = 140
	MaxBody     = 20000
	PerPage     = 20 // replies per thread page
	ThreadsPage = 30 // threads per category page
)

// Category groups threads. In a Questions category threads are questions
// whose author may accept one reply as the answer.
type Category struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Position    int       `json:"position"`
	Questions   bool      `json:"questions"`
	Threads     int       `json:"threads"` // denormalized count of threads
	CreatedAt   time.Time `json:"created_at"`
}

// Thread is a discussion: a title and its first post, then replies.
type Thread struct {
	ID             string
	CategoryID     string
	CategorySlug   string
	Title          string
	AuthorID       string
	AuthorName     string
	Posts          int // positions handed out, the first post included; never shrinks
	Replies        int // visible replies, denormalized for lists
	LastPostID     string
	LastPosterID   string
	LastPosterName string
	LastActivity   time.Time
	Pinned         bool
	Locked         bool
	Hidden         bool
	// Held says the hidden thread is a new member's, waiting for a
	// moderator's approval (filled by the service, not stored here).
	Held           bool
	AcceptedPostID string
	CreatedAt      time.Time
}

// Solved reports whether a reply was accepted as the answer.
func (t *Thread) Solved() bool { return t.AcceptedPostID != "" }

// URL is the thread's page.
func (t *Thread) URL() string { return "/t/" + t.ID }

// Post is one message in a thread; Position 0 is the thread's first post.
type Post struct {
	ID           string
	ThreadID     string
	Position     int
	AuthorID     string
	AuthorName   string
	AuthorHandle string
	AuthorRole   townhall.Role
	Source       string        // Markdown as written
	HTML         template.HTML // sanitized at write time
	Hidden       bool
	EditedAt     time.Time // zero when never edited
	CreatedAt    time.Time
	// Likes is the denormalized count of likes; Liked says whether the
	// viewer likes it (filled by the web layer from loyalty). AuthorBadge
	// and AuthorChampion are the author's highlighted badge and VIP mark.
	Likes          int
	Liked          bool
	AuthorBadge    string
	AuthorChampion bool
}

// Staff reports whether the author's role earns a staff badge.
func (p *Post) Staff() bool { return p.AuthorRole.IsStaff() }

// Edited reports whether the post was changed after it was written.
func (p *Post) Edited() bool { return !p.EditedAt.IsZero() }

// Page is the page of its thread the post is on.
func (p *Post) Page() int { return PageOf(p.Position) }

// PageOf returns the thread page that shows the post at position pos.
func PageOf(pos int) int {
	if pos <= 0 {
		return 1
	}
	return (pos-1)/PerPage + 1
}

// Revision is an earlier version of a post, kept when it is edited.
type Revision struct {
	ID         string
	PostID     string
	Title      string // the thread title at the time, for first posts
	Source     string
	EditorID   string
	EditorName string
	CreatedAt  time.Time
}

// ThreadCursor is where a category listing continues: listings sort by
// pinned, then last activity, then id, all descending.
type ThreadCursor struct {
	Pinned   bool
	Activity time.Time
	ID       string
}

// Edit is one change to a post's text. Title is set only when the post is
// the thread's first post and the title changes with it.
type Edit struct {
	PostID   string
	Title    string
	Source   string
	HTML     template.HTML
	EditorID string
	At       time.Time
	// RevisionID names the kept previous version.
	RevisionID string
}

// Store is what the forum needs from a backend. Every method is atomic and
// records search changes for the threads and posts whose text or visibility
// it changes.
type Store interface {
	// ForumCategories lists categories by position, then name.
	ForumCategories(ctx context.Context) ([]*Category, error)
	// ForumCategory finds a category by id or slug.
	ForumCategory(ctx context.Context, idOrSlug string) (*Category, error)
	// SaveForumCategory creates or updates a category; slugs are unique (ECONFLICT).
	SaveForumCategory(ctx context.Context, c *Category) error

	// CreateThread stores a thread with its first post (position 0), bumps
	// the category's thread count and makes the author a follower. A
	// thread created Hidden (held for review) is hidden from the start.
	CreateThread(ctx context.Context, t *Thread, first *Post) error
	Thread(ctx context.Context, id string) (*Thread, error)
	// Threads lists a category's threads after the cursor (nil: from the
	// start), pinned first, then by last activity.
	Threads(ctx context.Context, categoryID string, after *ThreadCursor, limit int, withHidden bool) ([]*Thread, error)
	// LatestThreads lists visible threads of every category by last activity,
	// newest first, for the front page.
	LatestThreads(ctx context.Context, limit int) ([]*Thread, error)

	// AddReply appends p to its thread at the next position, updates the
	// thread's counters and last activity, and makes the replier a follower
	// (people who answer want to hear back); ECONFLICT when the thread is locked.
	AddReply(ctx context.Context, p *Post) error
	ForumPost(ctx context.Context, id string) (*Post, error)
	// ForumPosts returns a thread's posts with positions in [from, to], in order.
	ForumPosts(ctx context.Context, threadID string, from, to int) ([]*Post, error)
	// EditForumPost replaces a post's text, keeping the previous version as a revision.
	EditForumPost(ctx context.Context, e Edit) error
	// ForumRevisions lists a post's earlier versions, newest first.
	ForumRevisions(ctx context.Context, postID string) ([]*Revision, error)
	// SetForumPostHidden hides or shows a reply and adjusts the reply count;
	// hiding the accepted answer un-solves the thread.
	SetForumPostHidden(ctx context.Context, postID string, hidden bool) error

	SetThreadLocked(ctx context.Context, threadID string, locked bool) error
	SetThreadPinned(ctx context.Context, threadID string, pinned bool) error
	SetThreadHidden(ctx context.Context, threadID string, hidden bool) error
	// MoveThread puts a thread in another category, moving its count along.
	MoveThread(ctx context.Context, threadID, categoryID string) error
	// AcceptAnswer marks postID (a reply of the thread) as the accepted
	// answer; "" clears it.
	AcceptAnswer(ctx context.Context, threadID, postID string) error

	// FollowThread subscribes (on) or unsubscribes a user from a thread.
	FollowThread(ctx context.Context, threadID, userID string, on bool) error
	FollowingThread(ctx context.Context, threadID, userID string) (bool, error)
	ThreadFollowers(ctx context.Context, threadID string) ([]string, error)
}
