package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/settings"
)

// FlagInput is a member's report: what (kind and id), why, and for
// ReasonOther what is wrong.
type FlagInput struct {
	Kind   string
	ID     string
	Reason string
	Text   string
}

// FlagResult says what a flag did.
type FlagResult struct {
	Flag *Flag
	Case *Case
	// Hidden says this flag hid the item pending review.
	Hidden bool
}

// Flag records actor's flag on an item they can see. When the flags from
// distinct members that count reach the site's threshold, or the flagger
// is a regular (trust level 3, staff included), the item is hidden at once
// until a moderator decides.
func (s *Service) Flag(ctx context.Context, actor *townhall.User, in FlagInput) (*FlagResult, error) {
	if err := townhall.SignedIn(actor, "flag posts"); err != nil {
		return nil, err
	}
	if !ValidKind(in.Kind) {
		return nil, townhall.Errorf(townhall.EINVALID, "kind must be one of %s.", strings.Join(Kinds, ", "))
	}
	reason := strings.TrimSpace(strings.ToLower(in.Reason))
	if !validReason(reason) {
		return nil, townhall.Errorf(townhall.EINVALID, "reason must be one of %s.", strings.Join(Reasons, ", "))
	}
	text, err := townhall.CleanText("text", in.Text, 0, MaxFlagText)
	if err != nil {
		return nil, err
	}
	if reason == ReasonOther && text == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "text is required with the reason \"other\": say what is wrong.")
	}
	if err := s.writable(actor); err != nil {
		return nil, err
	}
	item, err := s.ContentItem(ctx, actor, in.Kind, in.ID)
	if err != nil {
		return nil, err
	}
	if item.Hidden {
		// Staff see hidden items; one already hidden needs no flag.
		return nil, ErrItemNotFound
	}
	if item.AuthorID == actor.ID {
		return nil, ErrOwnContent
	}
	site := s.site(ctx)
	f := &Flag{ID: townhall.NewID(), Kind: in.Kind, ItemID: in.ID, UserID: actor.ID, UserName: actor.Name, AuthorID: item.AuthorID,
		Reason: reason, Text: text, Counts: actor.Level() > townhall.TrustNew || site.NewMemberFlagsCount,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	c, err := s.store.AddFlag(ctx, f)
	if err != nil {
		return nil, err
	}
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventFlagCreated, At: f.CreatedAt, Actor: actor, URL: item.URL,
		Summary: fmt.Sprintf("%s flagged a %s in “%s” as %s", actor.Name, kindLabel(item.Kind), item.Title, ReasonLabel(reason)),
		Data: map[string]any{"flag": map[string]any{"id": f.ID, "reason": f.Reason, "text": f.Text, "created_at": f.CreatedAt},
			"item": map[string]any{"kind": item.Kind, "id": item.ID, "title": item.Title, "url": item.URL}, "open_flags": c.Flags}})
	res := &FlagResult{Flag: f, Case: c}
	if actor.Level() >= townhall.TrustRegular || c.Counted >= site.FlagThreshold {
		hid, err := s.autoHide(ctx, item, c, site)
		if err != nil {
			return nil, err
		}
		res.Hidden = hid
	}
	return res, nil
}

func validReason(r string) bool {
	for _, v := range Reasons {
		if r == v {
			return true
		}
	}
	return false
}

// autoHide hides a flagged item pending review; of concurrent flags that
// reach the threshold only the one that marks the case hides it.
func (s *Service) autoHide(ctx context.Context, item *Item, c *Case, site settings.Site) (bool, error) {
	changed, err := s.store.MarkAutoHidden(ctx, item.Kind, item.ID)
	if err != nil || !changed {
		return false, err
	}
	reason := fmt.Sprintf("Hidden after %s from the community, waiting for review.", plural(c.Flags, "flag", "flags"))
	if err := s.content.SetHidden(ctx, System, item.Kind, item.ID, true, reason); err != nil {
		return false, err
	}
	c.AutoHidden = true
	return true, nil
}

// System is the actor of what moderation does on its own (hiding an item
// that flags took over the threshold): a moderator that is nobody, so the
// content services let it hide and the staff log shows who did it.
var System = &townhall.User{ID: "", Handle: "community", Name: "Community flags", Role: townhall.RoleModerator}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ContentItem returns kind/id as actor sees it, for a flag form's summary.
func (s *Service) ContentItem(ctx context.Context, actor *townhall.User, kind, id string) (*Item, error) {
	if err := townhall.SignedIn(actor, "flag posts"); err != nil {
		return nil, err
	}
	if !ValidKind(kind) || !townhall.ValidID(id) {
		return nil, ErrItemNotFound
	}
	item, err := s.content.Item(ctx, actor, kind, id)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, ErrItemNotFound
	}
	return item, err
}
