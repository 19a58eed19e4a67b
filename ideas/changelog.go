package ideas

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// The public changelog: ideas the product team shipped (status done),
// most recently shipped first, each with its official response, the
// number of customers who asked for it (its votes, merged duplicates'
// included) and an optional release note. It is the page that shows
// customers they were listened to.

// ChangelogPage is how many shipped ideas one page of the changelog lists.
const ChangelogPage = 20

// ReleaseNote is what the product team writes about a shipped idea.
type ReleaseNote struct {
	IdeaID     string
	Body       string // Markdown
	BodyHTML   template.HTML
	AuthorID   string
	AuthorName string // filled by reads
	UpdatedAt  time.Time
}

// Shipped is one entry of the changelog.
type Shipped struct {
	Idea      *Idea
	ShippedAt time.Time // when it last moved to done
	Note      *ReleaseNote
}

// ChangelogStore is what the changelog needs from a backend. A status
// change records ShippedAt when an idea moves to done, and clears it when
// it moves away.
type ChangelogStore interface {
	// Changelog returns listed (neither merged nor hidden) done ideas,
	// most recently shipped first, after the cursor (Key: ShippedAt in
	// Unix milliseconds), with their release notes.
	Changelog(ctx context.Context, after *Cursor, limit int) ([]*Shipped, error)
	// SetReleaseNote stores (or replaces) an idea's release note
	// (ErrNotFound).
	SetReleaseNote(ctx context.Context, n *ReleaseNote) error
	// DeleteReleaseNote removes an idea's release note, if any.
	DeleteReleaseNote(ctx context.Context, ideaID string) error
	// ReleaseNote returns an idea's release note, nil when it has none.
	ReleaseNote(ctx context.Context, ideaID string) (*ReleaseNote, error)
}

// ChangelogCursor is the cursor after an entry.
func ChangelogCursor(s *Shipped) string {
	return strconv.FormatInt(s.ShippedAt.UnixMilli(), 10) + "." + s.Idea.ID
}

func parseChangelogCursor(s string) (*Cursor, bool) {
	msec, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(msec, 10, 64)
	if !ok || err != nil || n < 0 || !townhall.ValidID(id) {
		return nil, false
	}
	return &Cursor{Key: float64(n), ID: id}, true
}

// Changelog returns a page of the changelog. Everyone may read it.
func (s *Service) Changelog(ctx context.Context, after string) (townhall.Page[*Shipped], error) {
	var c *Cursor
	if after != "" {
		var ok bool
		if c, ok = parseChangelogCursor(after); !ok {
			return townhall.Page[*Shipped]{}, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
		}
	}
	return townhall.Paginate(ChangelogPage, func(n int) ([]*Shipped, error) {
		return s.store.Changelog(ctx, c, n)
	}, ChangelogCursor)
}

// MaxReleaseNote bounds a release note, in runes.
const MaxReleaseNote = 10000

// SetReleaseNote writes (or, with an empty body, removes) the release note
// of a shipped idea. Product team only; the staff log keeps both versions.
func (s *Service) SetReleaseNote(ctx context.Context, actor *townhall.User, id, body string) (*ReleaseNote, error) {
	if err := requireTeam(actor, "write release notes"); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if idea.Merged() || idea.Hidden != nil {
		return nil, townhall.Errorf(townhall.ECONFLICT, "Release notes are for ideas on the changelog; this one is merged or hidden.")
	}
	if idea.Status != StatusDone {
		return nil, townhall.Errorf(townhall.ECONFLICT, "Only shipped ideas get release notes: mark “%s” done first.", idea.Title)
	}
	body, err = townhall.CleanText("Release note", body, 0, MaxReleaseNote)
	if err != nil {
		return nil, err
	}
	old, err := s.store.ReleaseNote(ctx, id)
	if err != nil {
		return nil, err
	}
	oldBody := ""
	if old != nil {
		oldBody = old.Body
	}
	var n *ReleaseNote
	if body == "" {
		err = s.store.DeleteReleaseNote(ctx, id)
	} else {
		n = &ReleaseNote{IdeaID: id, Body: body, BodyHTML: markdown.Render(body), AuthorID: actor.ID, AuthorName: actor.Name,
			UpdatedAt: s.now().UTC().Truncate(time.Millisecond)}
		err = s.store.SetReleaseNote(ctx, n)
	}
	if err != nil {
		return nil, err
	}
	if oldBody != body {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "idea.release_note", TargetKind: "idea", TargetID: id, Target: idea.Title,
			Before: oldBody, After: body})
	}
	return n, nil
}

// ReleaseNote returns a shipped idea's release note (nil when none).
func (s *Service) ReleaseNote(ctx context.Context, actor *townhall.User, id string) (*ReleaseNote, error) {
	if _, err := s.Idea(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.ReleaseNote(ctx, id)
}
