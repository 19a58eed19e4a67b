package ideas

import (
	"context"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// SeesHidden reports whether actor sees hidden ideas and comments: staff
// do (with the moderator's note), members and anonymous readers never.
func SeesHidden(actor *townhall.User) bool { return actor.HasRole(townhall.Role.IsStaff) }

// CanModerate reports whether actor may hide and unhide ideas and comments
// and edit or delete anyone's comment.
func CanModerate(actor *townhall.User) bool { return actor.HasRole(townhall.Role.CanModerate) }

// CanChangeComment reports whether actor may edit or delete the comment:
// its author and moderators may, while it is not deleted.
func CanChangeComment(actor *townhall.User, c *Comment) bool {
	return actor != nil && !c.Deleted && (actor.ID == c.AuthorID || CanModerate(actor))
}

func requireModerator(actor *townhall.User, what string) error {
	if err := townhall.SignedIn(actor, what); err != nil {
		return err
	}
	if !CanModerate(actor) {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only moderators can %s.", what)
	}
	return nil
}

func commentNotFound() error { return ErrCommentNotFound }

// hiddenAsNotFound turns the store's "hidden" conflict into not found for
// people who may not know the idea exists.
func (s *Service) hiddenAsNotFound(ctx context.Context, actor *townhall.User, id string, err error) error {
	if townhall.ErrorCode(err) != townhall.ECONFLICT || SeesHidden(actor) {
		return err
	}
	if _, lookupErr := s.Idea(ctx, actor, id); lookupErr != nil {
		return lookupErr
	}
	return err
}

// moderationNote validates the reason a moderator gives for hiding.
func (s *Service) moderationNote(actor *townhall.User, hidden bool, reason string) (*Hidden, error) {
	if !hidden {
		return nil, nil
	}
	reason, err := townhall.CleanText("Reason", reason, 1, MaxReason)
	if err != nil {
		return nil, err
	}
	return &Hidden{ByID: actor.ID, ByName: actor.Name, Reason: reason, At: s.now().UTC().Truncate(time.Millisecond)}, nil
}

// SetIdeaHidden hides an idea (with a reason people on the team see) or
// unhides it. A hidden idea is gone for members and anonymous readers:
// its page answers 404 and it leaves the board, roadmap, tags, similar
// ideas, search and the export. Moderators only.
func (s *Service) SetIdeaHidden(ctx context.Context, actor *townhall.User, id string, hidden bool, reason string) (*Idea, error) {
	what := "hide ideas"
	if !hidden {
		what = "unhide ideas"
	}
	if err := requireModerator(actor, what); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	h, err := s.moderationNote(actor, hidden, reason)
	if err != nil {
		return nil, err
	}
	if idea.Merged() {
		return nil, ErrMergedModerate
	}
	changed, err := s.store.SetIdeaHidden(ctx, id, h)
	if err != nil {
		return nil, err
	}
	if changed {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: hideAction("idea", hidden), TargetKind: "idea",
			TargetID: id, Target: idea.Title, Before: map[string]bool{"hidden": !hidden}, After: map[string]bool{"hidden": hidden},
			Reason: h.reason()})
	}
	return s.store.Idea(ctx, id, actor.ID)
}

// HiddenIdeas returns a page of hidden ideas, newest first, so moderators
// can review and unhide them. Staff only.
func (s *Service) HiddenIdeas(ctx context.Context, actor *townhall.User, after string) (townhall.Page[*Idea], error) {
	if err := townhall.SignedIn(actor, "see hidden ideas"); err != nil {
		return townhall.Page[*Idea]{}, err
	}
	if !SeesHidden(actor) {
		return townhall.Page[*Idea]{}, townhall.Errorf(townhall.EFORBIDDEN, "Only staff can see hidden ideas.")
	}
	return s.page(ctx, Query{Sort: SortNew, Hidden: true, Limit: PageSize, ViewerID: actor.ID}, after)
}

// comment returns one comment as actor sees it: a hidden comment, or any
// comment of a hidden idea, exists for staff only.
func (s *Service) comment(ctx context.Context, actor *townhall.User, id string) (*Comment, error) {
	if !townhall.ValidID(id) {
		return nil, commentNotFound()
	}
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Hidden != nil && !SeesHidden(actor) {
		return nil, commentNotFound()
	}
	if _, err := s.Idea(ctx, actor, c.IdeaID); err != nil {
		return nil, commentNotFound()
	}
	return c, nil
}

// CommentByID returns one comment as actor sees it.
func (s *Service) CommentByID(ctx context.Context, actor *townhall.User, id string) (*Comment, error) {
	return s.comment(ctx, actor, id)
}

// changeableComment loads a comment actor wants to edit or delete.
func (s *Service) changeableComment(ctx context.Context, actor *townhall.User, id, what string) (*Comment, error) {
	if err := townhall.SignedIn(actor, what); err != nil {
		return nil, err
	}
	c, err := s.comment(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.ID != c.AuthorID && !CanModerate(actor) {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only the author and moderators can %s.", what)
	}
	if c.Deleted {
		return nil, ErrCommentDeleted
	}
	return c, nil
}

// EditComment replaces a comment's text and marks it edited. Its author
// and moderators may.
func (s *Service) EditComment(ctx context.Context, actor *townhall.User, id, body string) (*Comment, error) {
	c, err := s.changeableComment(ctx, actor, id, "edit this comment")
	if err != nil {
		return nil, err
	}
	body, err = townhall.CleanText("Comment", body, 1, MaxBody)
	if err != nil {
		return nil, err
	}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, KindComment, "", body); err != nil {
		return nil, err
	}
	old := c.Body
	c.Body, c.BodyHTML, c.EditedAt = body, markdown.Render(body), s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.EditComment(ctx, c); err != nil {
		return nil, err
	}
	if actor.ID != c.AuthorID {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "comment.edit", TargetKind: "comment", TargetID: id,
			Target: commentLabel(c), Before: map[string]string{"body": old}, After: map[string]string{"body": body}})
	}
	return s.store.Comment(ctx, id)
}

// DeleteComment soft-deletes a comment: its text goes and a "comment
// deleted" line keeps the conversation readable. Its author and
// moderators may; deleting it again is harmless.
func (s *Service) DeleteComment(ctx context.Context, actor *townhall.User, id string) (*Comment, error) {
	if err := townhall.SignedIn(actor, "delete this comment"); err != nil {
		return nil, err
	}
	c, err := s.comment(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.ID != c.AuthorID && !CanModerate(actor) {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only the author and moderators can delete this comment.")
	}
	deleted, err := s.store.DeleteComment(ctx, id, actor.ID, s.now().UTC())
	if err != nil {
		return nil, err
	}
	if deleted && actor.ID != c.AuthorID {
		// Not the text: a deleted comment's text is gone for good.
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "comment.delete", TargetKind: "comment", TargetID: id,
			Target: commentLabel(c), Before: map[string]bool{"deleted": false}, After: map[string]bool{"deleted": true}})
	}
	return s.store.Comment(ctx, id)
}

// SetCommentHidden hides a comment (with a reason staff see) or unhides
// it; the idea's comment count follows. Moderators only.
func (s *Service) SetCommentHidden(ctx context.Context, actor *townhall.User, id string, hidden bool, reason string) (*Comment, error) {
	what := "hide comments"
	if !hidden {
		what = "unhide comments"
	}
	if err := requireModerator(actor, what); err != nil {
		return nil, err
	}
	c, err := s.comment(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	h, err := s.moderationNote(actor, hidden, reason)
	if err != nil {
		return nil, err
	}
	if c.Deleted {
		return nil, ErrCommentDeleted
	}
	changed, err := s.store.SetCommentHidden(ctx, id, h)
	if err != nil {
		return nil, err
	}
	if changed {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: hideAction("comment", hidden), TargetKind: "comment",
			TargetID: id, Target: commentLabel(c), Before: map[string]bool{"hidden": !hidden}, After: map[string]bool{"hidden": hidden},
			Reason: h.reason()})
	}
	return s.store.Comment(ctx, id)
}

// hideAction is the staff-log action for hiding or unhiding a kind of item.
func hideAction(kind string, hidden bool) string {
	if hidden {
		return kind + ".hide"
	}
	return kind + ".unhide"
}

// reason is the moderator's reason for hiding; unhiding has none.
func (h *Hidden) reason() string {
	if h == nil {
		return ""
	}
	return h.Reason
}

// commentLabel names a comment in the staff log.
func commentLabel(c *Comment) string { return "Comment by " + c.AuthorName }
