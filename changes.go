package townhall

import "time"

// Kinds of searchable content. The store records a Change for one of these
// whenever its searchable text or visibility changes.
const (
	KindThread = "thread"
	KindPost   = "post"
	KindIdea   = "idea"
	KindReview = "review"
)

// Change is one entry of the store's change feed: "something about Kind/ID
// changed at Seq". The indexer re-reads the entity, so a change never carries
// content and replaying one twice is harmless.
type Change struct {
	Seq  int64
	Kind string
	ID   string
	At   time.Time
}

// SearchDoc is what the search index knows of one piece of content. A backend
// builds it from its own rows; Visible false means "remove from the index"
// (deleted, hidden, merged away).
type SearchDoc struct {
	Kind     string
	ID       string
	Title    string
	Body     string
	Tags     []string
	Status   string // idea status, "solved" for answered threads
	Category string // forum category slug, product slug for reviews
	Author   string // author display name
	AuthorID string
	ParentID string // the thread of a post
	URL      string // path of the page that shows it
	Created  time.Time
	Visible  bool
}

// GoneDoc is the search document of kind/id once it no longer exists: not
// Visible, so the indexer deletes it.
func GoneDoc(kind, id string) *SearchDoc { return &SearchDoc{Kind: kind, ID: id} }
