package moderation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

// Decision is a moderator's verdict on a queued item. Every decision
// resolves all of the item's flags and tells the flaggers.
type Decision string

// The decisions.
const (
	// Approve dismisses the flags (unhiding what flags hid) or publishes a
	// held item.
	Approve Decision = "approve"
	// Hide keeps the item hidden (or hides it).
	Hide Decision = "hide"
	// Delete deletes a comment or review.
	Delete Decision = "delete"
	// HideSuspend hides the item and suspends its author.
	HideSuspend Decision = "hide_suspend"
	// Gone closes the case of an item that no longer exists.
	Gone Decision = "gone"
)

// Decisions lists what a moderator can choose, in the order pages offer them.
var Decisions = []Decision{Approve, Hide, Delete, HideSuspend}

// Entry is one item of the review queue with everything a moderator
// needs to decide: the content, its author and their history, the flags.
type Entry struct {
	Case   *Case
	Item   *Item
	Author *townhall.User
	Record *Record
	Flags  []*Flag
}

// Queue returns a page of open cases, oldest first. Cases whose item no
// longer exists are closed on the way and left out. Moderators and admins
// only.
func (s *Service) Queue(ctx context.Context, actor *townhall.User, after string) (townhall.Page[*Entry], error) {
	var page townhall.Page[*Entry]
	if err := requireModerator(actor, "see the review queue"); err != nil {
		return page, err
	}
	cur, err := parseCaseCursor(after)
	if err != nil {
		return page, err
	}
	cases, err := townhall.Paginate(QueuePage, func(n int) ([]*Case, error) {
		return s.store.OpenCases(ctx, cur, n)
	}, func(last *Case) string { return caseCursor(last) })
	if err != nil {
		return page, err
	}
	page.Next, page.Items = cases.Next, make([]*Entry, 0, len(cases.Items))
	for _, c := range cases.Items {
		e, err := s.entry(ctx, actor, c)
		if townhall.ErrorCode(err) == townhall.ENOTFOUND {
			s.closeGone(ctx, actor, c)
			continue
		} else if err != nil {
			return page, err
		}
		page.Items = append(page.Items, e)
	}
	return page, nil
}

// Entry returns one item's queue entry (open or not). Moderators only.
func (s *Service) Entry(ctx context.Context, actor *townhall.User, kind, id string) (*Entry, error) {
	if err := requireModerator(actor, "see the review queue"); err != nil {
		return nil, err
	}
	if !ValidKind(kind) || !townhall.ValidID(id) {
		return nil, ErrCaseNotFound
	}
	c, err := s.store.Case(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	return s.entry(ctx, actor, c)
}

func (s *Service) entry(ctx context.Context, actor *townhall.User, c *Case) (*Entry, error) {
	item, err := s.content.Item(ctx, actor, c.Kind, c.ItemID)
	if err != nil {
		return nil, err
	}
	e := &Entry{Case: c, Item: item}
	if e.Author, err = s.users.User(ctx, c.AuthorID); err != nil {
		return nil, err
	}
	if e.Record, err = s.store.UserRecord(ctx, c.AuthorID); err != nil {
		return nil, err
	}
	if e.Flags, err = s.store.Flags(ctx, c.Kind, c.ItemID, flagsPerCase); err != nil {
		return nil, err
	}
	return e, nil
}

// closeGone resolves the case of an item that was deleted meanwhile.
func (s *Service) closeGone(ctx context.Context, actor *townhall.User, c *Case) {
	_, err := s.store.ResolveCase(ctx, Resolution{Kind: c.Kind, ItemID: c.ItemID, Decision: Gone, ByID: actor.ID, At: s.now().UTC()})
	if err != nil && townhall.ErrorCode(err) != townhall.ECONFLICT {
		s.log.Warn("closing the case of a removed item", "case", c.Key(), "err", err)
	}
}

func caseCursor(c *Case) string { return strconv.FormatInt(c.OpenedAt.UnixMilli(), 10) + "." + c.Key() }

func parseCaseCursor(s string) (*CaseCursor, error) {
	if s == "" {
		return nil, nil
	}
	at, key, ok := strings.Cut(s, ".")
	ms, err := strconv.ParseInt(at, 10, 64)
	kind, id, ok2 := strings.Cut(key, ":")
	if !ok || !ok2 || err != nil || !ValidKind(kind) || !townhall.ValidID(id) {
		return nil, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
	}
	return &CaseCursor{OpenedAt: time.UnixMilli(ms).UTC(), Key: key}, nil
}

// DecisionInput is a moderator's decision on one item: the verdict, the
// reason (required to hide, delete or suspend; shown to a suspended
// author) and, for HideSuspend, the suspension's length in days.
type DecisionInput struct {
	Decision Decision
	Reason   string
	Days     int
}

// Decide applies a moderator's decision to a queued item, resolves every
// flag on it, tells the flaggers it was handled (and the author, when
// their held item is published), and records it in the staff log.
func (s *Service) Decide(ctx context.Context, actor *townhall.User, kind, id string, in DecisionInput) (*Case, error) {
	if err := requireModerator(actor, "review flagged posts"); err != nil {
		return nil, err
	}
	if !ValidKind(kind) || !townhall.ValidID(id) {
		return nil, ErrCaseNotFound
	}
	switch in.Decision {
	case Approve, Hide, Delete, HideSuspend:
	default:
		return nil, townhall.Errorf(townhall.EINVALID, "decision must be approve, hide, delete or hide_suspend.")
	}
	reason, err := cleanReason("reason", in.Reason, in.Decision == HideSuspend)
	if err != nil {
		return nil, err
	}
	if in.Decision == HideSuspend && (in.Days < 1 || in.Days > MaxDays) {
		return nil, townhall.Errorf(townhall.EINVALID, "days must be a whole number from 1 to %d.", MaxDays)
	}
	if in.Decision == Delete && !Deletable(kind) {
		return nil, townhall.Errorf(townhall.EINVALID, "A %s cannot be deleted, only hidden: choose hide.", kind)
	}
	c, err := s.store.Case(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	if !c.Open {
		return nil, ErrNoOpenCase
	}
	if in.Decision == HideSuspend {
		if _, err := s.sanctionable(ctx, actor, c.AuthorID); err != nil {
			return nil, err
		}
	}
	item, err := s.content.Item(ctx, actor, kind, id)
	if err != nil {
		return nil, err
	}
	hidden, err := s.apply(ctx, actor, c, item, in.Decision, reason)
	if err != nil {
		return nil, err
	}
	flaggers, err := s.store.ResolveCase(ctx, Resolution{Kind: kind, ItemID: id, Decision: in.Decision, ByID: actor.ID,
		At: s.now().UTC().Truncate(time.Millisecond), Hidden: hidden})
	if err != nil {
		return nil, err
	}
	s.record(ctx, actor, audit.Action{Action: "flag.resolve", TargetKind: kind, TargetID: id, Target: item.Title,
		Before: caseState{Hidden: item.Hidden, Held: c.Held, Flags: c.Flags},
		After:  caseState{Hidden: hidden, Decision: string(in.Decision)}, Reason: reason})
	s.tell(ctx, actor.ID, flaggers, NotifyFlagHandled, handledText(kind, item, in.Decision), item.URL)
	if c.Held && in.Decision == Approve {
		s.tell(ctx, actor.ID, []string{c.AuthorID}, NotifyApproved,
			fmt.Sprintf("Your %s “%s” was approved and is now public.", kindLabel(kind), item.Title), item.URL)
	}
	if in.Decision == HideSuspend {
		if _, err := s.Impose(ctx, actor, c.AuthorID, Suspend, SanctionInput{Days: in.Days, Reason: reason}); err != nil {
			return nil, err
		}
	}
	s.Activity(ctx, c.AuthorID)
	return s.store.Case(ctx, kind, id)
}

// apply does what the decision says to the item and reports whether it
// ends hidden (or deleted).
func (s *Service) apply(ctx context.Context, actor *townhall.User, c *Case, item *Item, d Decision, reason string) (bool, error) {
	switch d {
	case Approve:
		switch {
		case c.Held && item.Hidden:
			author, err := s.users.User(ctx, item.AuthorID)
			if err != nil {
				return false, err
			}
			return false, s.content.Publish(ctx, actor, author, item.Kind, item.ID)
		case c.AutoHidden && item.Hidden:
			return false, s.content.SetHidden(ctx, actor, item.Kind, item.ID, false, "")
		}
		// Hidden by a moderator by hand meanwhile: the flags are dismissed,
		// the moderator's hide stands.
		return item.Hidden, nil
	case Delete:
		return true, s.content.Delete(ctx, actor, item.Kind, item.ID)
	}
	if item.Hidden {
		return true, nil
	}
	if reason == "" {
		reason = "Hidden after review."
	}
	return true, s.content.SetHidden(ctx, actor, item.Kind, item.ID, true, reason)
}

type caseState struct {
	Hidden   bool   `json:"hidden"`
	Held     bool   `json:"held,omitempty"`
	Flags    int    `json:"flags,omitempty"`
	Decision string `json:"decision,omitempty"`
}

func kindLabel(kind string) string {
	if kind == KindPost {
		return "reply"
	}
	return kind
}

func handledText(kind string, item *Item, d Decision) string {
	what := fmt.Sprintf("the %s you flagged in “%s”", kindLabel(kind), item.Title)
	switch d {
	case Approve:
		return "Thanks for flagging: a moderator reviewed " + what + " and left it up."
	case Delete:
		return "Thanks for flagging: a moderator reviewed " + what + " and deleted it."
	}
	return "Thanks for flagging: a moderator reviewed " + what + " and hid it."
}
