package ideas

import (
	"context"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/markdown"
)

// Notifier delivers in-app notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// Rewards is told, after a status change, that an idea shipped, which
// may earn its author a badge; loyalty.Service implements it.
type Rewards interface {
	Shipped(ctx context.Context, userID string)
}

// KindComment is an idea comment's kind for the Gate.
const KindComment = "comment"

// HeldReason is the hidden note of an idea held for review.
const HeldReason = "Waiting for review: a new member's idea."

// Service is the idea board's rules: validation and authorization in front
// of the Store.
type Service struct {
	store  Store
	notify Notifier
	gate   townhall.Gate
	jobs   jobs.Enqueuer // status-change fan-outs; nil runs them inline
	staff  townhall.StaffLog
	now    func() time.Time
	// OnNotifyError is told about notifications that could not be
	// delivered after a successful write; nil ignores them.
	OnNotifyError func(error)
	// Rewards, when set, hears of ideas that shipped.
	Rewards Rewards
	// Events hears about new ideas, status changes and merges (webhooks);
	// nil emits nothing.
	Events townhall.Emitter
	// Customers finds (or records) the customer a vote on their behalf
	// is for; auth.Service implements it.
	Customers Customers
}

// NewService returns a Service over store; n may be nil (no notifications).
func NewService(store Store, n Notifier) *Service {
	return &Service{store: store, notify: n, now: time.Now}
}

// SetGate makes the service screen writes through g (nil: no screening).
func (s *Service) SetGate(g townhall.Gate) { s.gate = g }

// SetStaffLog makes the service record what the product team and
// moderators do (status changes, official responses, merges, edits of
// others' ideas and comments, hiding, deleting) in l.
func (s *Service) SetStaffLog(l townhall.StaffLog) { s.staff = l }

// SetClock replaces the clock; tests use it for deterministic trending.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Input is what the propose and edit forms (and the API) send.
type Input struct {
	Title string
	Body  string
	Tags  []string
}

func requireTeam(actor *townhall.User, what string) error {
	if err := townhall.SignedIn(actor, what); err != nil {
		return err
	}
	if !actor.Role.CanManageProduct() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the product team can %s.", what)
	}
	return nil
}

func notFound() error { return ErrNotFound }

func viewerID(actor *townhall.User) string {
	if actor == nil {
		return ""
	}
	return actor.ID
}

// clean validates an Input and renders its Markdown.
func clean(in Input) (*Idea, []string, error) {
	title, err := townhall.CleanText("Title", in.Title, MinTitle, MaxTitle)
	if err != nil {
		return nil, nil, err
	}
	body, err := townhall.CleanText("Description", in.Body, 0, MaxBody)
	if err != nil {
		return nil, nil, err
	}
	tags, err := NormalizeTags(in.Tags)
	if err != nil {
		return nil, nil, err
	}
	if tags == nil {
		tags = []string{}
	}
	idea := &Idea{Title: title, Body: body, BodyHTML: markdown.Render(body), Tags: tags}
	return idea, TitleWords(title), nil
}

// Propose adds an idea with the author's own vote counted.
func (s *Service) Propose(ctx context.Context, actor *townhall.User, in Input) (*Idea, error) {
	if err := townhall.SignedIn(actor, "propose an idea"); err != nil {
		return nil, err
	}
	idea, words, err := clean(in)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	idea.ID = townhall.NewID()
	idea.Status = StatusOpen
	idea.AuthorID = actor.ID
	idea.CreatedAt, idea.UpdatedAt = now, now
	hold, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindIdea, idea.ID, idea.Title+"\n"+idea.Body)
	if err != nil {
		return nil, err
	}
	if hold {
		// Held for review: stored hidden, as a moderator's hide would leave
		// it, until a moderator publishes it.
		idea.Hidden = &Hidden{Reason: HeldReason, At: now}
	}
	if err := s.store.CreateIdea(ctx, idea, words); err != nil {
		return nil, err
	}
	townhall.NoteActivity(ctx, s.gate, actor.ID)
	created, err := s.Idea(ctx, actor, idea.ID)
	if err == nil && !created.Held {
		s.emitCreated(ctx, actor, created)
	}
	return created, err
}

// Publish makes an idea held for review public, and emits what proposing
// it would have (the event is author's). Moderators only.
func (s *Service) Publish(ctx context.Context, actor, author *townhall.User, id string) (*Idea, error) {
	if err := requireModerator(actor, "publish ideas"); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if idea.Hidden != nil {
		if _, err := s.store.SetIdeaHidden(ctx, id, nil); err != nil {
			return nil, err
		}
		if published, err := s.store.Idea(ctx, id, author.ID); err == nil {
			s.emitCreated(ctx, author, published)
		}
	}
	return s.Idea(ctx, actor, id)
}

// Edit changes an idea's title, description and tags. The author and the
// product team may; merged ideas are closed.
func (s *Service) Edit(ctx context.Context, actor *townhall.User, id string, in Input) (*Idea, error) {
	if err := townhall.SignedIn(actor, "edit an idea"); err != nil {
		return nil, err
	}
	old, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !s.CanEdit(actor, old) {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only the author and the product team can edit this idea.")
	}
	if old.Merged() {
		return nil, townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another; edit that one instead.")
	}
	idea, words, err := clean(in)
	if err != nil {
		return nil, err
	}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindIdea, "", idea.Title+"\n"+idea.Body); err != nil {
		return nil, err
	}
	idea.ID = id
	idea.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateIdea(ctx, idea, words); err != nil {
		return nil, err
	}
	if actor.ID != old.AuthorID {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "idea.edit", TargetKind: "idea", TargetID: id,
			Target: idea.Title, Before: ideaFields(old), After: ideaFields(idea)})
	}
	return s.store.Idea(ctx, id, actor.ID)
}

// CanEdit reports whether actor may edit the idea.
func (s *Service) CanEdit(actor *townhall.User, idea *Idea) bool {
	return actor != nil && !idea.Merged() && (actor.ID == idea.AuthorID || actor.Role.CanManageProduct())
}

// Idea returns one idea as actor sees it (merged ideas included: pages
// redirect them). Hidden ideas exist for staff only.
func (s *Service) Idea(ctx context.Context, actor *townhall.User, id string) (*Idea, error) {
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	i, err := s.store.Idea(ctx, id, viewerID(actor))
	if err != nil {
		return nil, err
	}
	i.Held = i.Hidden != nil && townhall.IsHeld(ctx, s.gate, townhall.KindIdea, i.ID)
	// A held idea is its author's too: they see it "waiting for review".
	if i.Hidden != nil && !SeesHidden(actor) && !(i.Held && actor.Is(i.AuthorID)) {
		return nil, notFound()
	}
	return i, nil
}

// ListParams are the board's filters as a page or API call gives them.
type ListParams struct {
	Sort   string // top, new, trending; "" is trending
	Status string // "" for all
	Tag    string // "" for all
	After  string // cursor from a previous page
	Cards  bool   // only what cards show (see Query.Cards)
}

// List returns a page of the board.
func (s *Service) List(ctx context.Context, actor *townhall.User, p ListParams) (townhall.Page[*Idea], error) {
	q := Query{Sort: p.Sort, Limit: PageSize, ViewerID: viewerID(actor), Cards: p.Cards}
	if q.Sort == "" {
		q.Sort = SortTrending
	}
	if q.Sort != SortTop && q.Sort != SortNew && q.Sort != SortTrending {
		return townhall.Page[*Idea]{}, townhall.Errorf(townhall.EINVALID, "Sort must be top, new or trending.")
	}
	if p.Status != "" {
		st, ok := ParseStatus(p.Status)
		if !ok {
			return townhall.Page[*Idea]{}, townhall.Errorf(townhall.EINVALID, "Unknown status %q.", p.Status)
		}
		q.Status = st
	}
	if p.Tag != "" {
		tags, err := NormalizeTags([]string{p.Tag})
		if err != nil || len(tags) != 1 {
			return townhall.Page[*Idea]{}, townhall.Errorf(townhall.EINVALID, "Tag filter must be one tag.")
		}
		q.Tag = tags[0]
	}
	return s.page(ctx, q, p.After)
}

// Mine returns a page of the ideas actor proposed, newest first.
func (s *Service) Mine(ctx context.Context, actor *townhall.User, after string) (townhall.Page[*Idea], error) {
	if err := townhall.SignedIn(actor, "see your ideas"); err != nil {
		return townhall.Page[*Idea]{}, err
	}
	return s.page(ctx, Query{Sort: SortNew, AuthorID: actor.ID, Limit: PageSize, ViewerID: actor.ID}, after)
}

// VotedAmong says which of ids actor voted for: the vote buttons of a page
// members share (no ids, or no actor, is none).
func (s *Service) VotedAmong(ctx context.Context, actor *townhall.User, ids []string) (map[string]bool, error) {
	if actor == nil || len(ids) == 0 {
		return map[string]bool{}, nil
	}
	return s.store.VotedAmong(ctx, actor.ID, ids)
}

// Voted returns a page of the ideas actor voted for, newest first.
func (s *Service) Voted(ctx context.Context, actor *townhall.User, after string) (townhall.Page[*Idea], error) {
	if err := townhall.SignedIn(actor, "see the ideas you voted for"); err != nil {
		return townhall.Page[*Idea]{}, err
	}
	return s.page(ctx, Query{Sort: SortNew, VoterID: actor.ID, Limit: PageSize, ViewerID: actor.ID}, after)
}

func (s *Service) page(ctx context.Context, q Query, after string) (townhall.Page[*Idea], error) {
	var page townhall.Page[*Idea]
	if after != "" {
		c, ok := ParseCursor(after)
		if !ok {
			return page, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
		}
		q.After = c
	}
	return townhall.Paginate(q.Limit, func(n int) ([]*Idea, error) {
		q.Limit = n
		return s.store.Ideas(ctx, q)
	}, func(last *Idea) string { return cursorOf(q.Sort, last).String() })
}

func cursorOf(sort string, i *Idea) *Cursor {
	switch sort {
	case SortTop, TriageVotes:
		return &Cursor{Key: float64(i.Votes), ID: i.ID}
	case SortTrending:
		return &Cursor{Key: i.Trend, ID: i.ID}
	case TriageDemand:
		return &Cursor{Key: i.Weighted, ID: i.ID}
	}
	return &Cursor{ID: i.ID}
}

// Roadmap returns the most voted ideas of each roadmap column.
func (s *Service) Roadmap(ctx context.Context, actor *townhall.User, perColumn int) (map[Status][]*Idea, error) {
	if perColumn <= 0 || perColumn > 100 {
		perColumn = 30
	}
	out := map[Status][]*Idea{}
	for _, st := range RoadmapStatuses {
		items, err := s.store.Ideas(ctx, Query{Sort: SortTop, Status: st, Limit: perColumn, ViewerID: viewerID(actor)})
		if err != nil {
			return nil, err
		}
		out[st] = items
	}
	return out, nil
}

// Vote adds actor's vote; voting twice is harmless. Returns the idea with
// its new count.
func (s *Service) Vote(ctx context.Context, actor *townhall.User, id string) (*Idea, error) {
	if err := townhall.SignedIn(actor, "vote"); err != nil {
		return nil, err
	}
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	if _, err := s.store.Vote(ctx, id, actor.ID, s.now()); err != nil {
		return nil, s.hiddenAsNotFound(ctx, actor, id, err)
	}
	return s.store.Idea(ctx, id, actor.ID)
}

// Unvote removes actor's vote; removing a missing vote is harmless.
func (s *Service) Unvote(ctx context.Context, actor *townhall.User, id string) (*Idea, error) {
	if err := townhall.SignedIn(actor, "vote"); err != nil {
		return nil, err
	}
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	if _, err := s.store.Unvote(ctx, id, actor.ID); err != nil {
		return nil, s.hiddenAsNotFound(ctx, actor, id, err)
	}
	return s.store.Idea(ctx, id, actor.ID)
}

// Comment adds a Markdown comment and tells the idea's author and everyone
// who commented before.
func (s *Service) Comment(ctx context.Context, actor *townhall.User, id, body string) (*Comment, error) {
	if err := townhall.SignedIn(actor, "comment"); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	body, err = townhall.CleanText("Comment", body, 1, MaxBody)
	if err != nil {
		return nil, err
	}
	if idea.Held {
		return nil, ErrHeld
	}
	c := &Comment{
		ID: townhall.NewID(), IdeaID: id, AuthorID: actor.ID, AuthorName: actor.Name,
		Team: actor.Role.CanManageProduct(), Body: body, BodyHTML: markdown.Render(body),
		CreatedAt: s.now().UTC(),
	}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, KindComment, c.ID, body); err != nil {
		return nil, err
	}
	// Who commented before, read ahead of the write so the new comment's
	// author is not among them for a reason other than being the actor.
	before, ferr := s.store.CommentAuthors(ctx, id)
	if err := s.store.AddComment(ctx, c); err != nil {
		return nil, err
	}
	townhall.NoteActivity(ctx, s.gate, actor.ID)
	url := idea.URL() + "#comment-" + c.ID
	s.tell(ctx, actor.ID, []string{idea.AuthorID}, "comment",
		fmt.Sprintf("%s commented on your idea “%s”", actor.Name, idea.Title), url)
	if ferr != nil {
		s.notifyFailed(ferr)
		return c, nil
	}
	var others []string
	for _, uid := range before {
		if uid != idea.AuthorID {
			others = append(others, uid)
		}
	}
	s.tell(ctx, actor.ID, others, "followed_comment",
		fmt.Sprintf("%s also commented on “%s”", actor.Name, idea.Title), url)
	return c, nil
}

// Comments returns a page of an idea's comments, oldest first, as actor
// sees them: hidden comments for staff only, deleted ones as placeholders.
func (s *Service) Comments(ctx context.Context, actor *townhall.User, id, after string) (townhall.Page[*Comment], error) {
	var page townhall.Page[*Comment]
	if _, err := s.Idea(ctx, actor, id); err != nil {
		return page, err
	}
	if after != "" && !townhall.ValidID(after) {
		return page, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
	}
	return townhall.Paginate(commentsPage, func(n int) ([]*Comment, error) {
		return s.store.Comments(ctx, id, after, n, SeesHidden(actor))
	}, func(last *Comment) string { return last.ID })
}

// commentsPage is how many comments one page of an idea shows.
const commentsPage = 50

// StatusUpdate is what the product team sends to move an idea along: the
// status it goes to (its current one to only respond), why, and an
// optional official response in Markdown. The recorded result is a
// StatusChange.
type StatusUpdate struct {
	Status   string
	Reason   string
	Response string
}

// ChangeStatus moves an idea to a new status, recording who, when and why,
// optionally with an official response; its author, voters and commenters
// are told (in the background when SetJobs was called). Product team only.
func (s *Service) ChangeStatus(ctx context.Context, actor *townhall.User, id string, u StatusUpdate) (*Idea, error) {
	if err := requireTeam(actor, "change an idea's status"); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st, ok := ParseStatus(u.Status)
	if !ok {
		return nil, townhall.Errorf(townhall.EINVALID, "Status must be one of open, under_review, planned, in_progress, done, declined (got %q).", u.Status)
	}
	reason, err := townhall.CleanText("Reason", u.Reason, 0, MaxReason)
	if err != nil {
		return nil, err
	}
	response, err := townhall.CleanText("Official response", u.Response, 0, MaxBody)
	if err != nil {
		return nil, err
	}
	if idea.Merged() {
		return nil, townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another; change that one instead.")
	}
	if st == idea.Status && reason == "" && response == "" {
		return idea, nil // nothing to record
	}
	ch := &StatusChange{
		ID: townhall.NewID(), IdeaID: id, From: idea.Status, To: st, Reason: reason,
		Response: response, ActorID: actor.ID, ActorName: actor.Name, At: s.now().UTC(),
	}
	if response != "" {
		ch.ResponseHTML = markdown.Render(response)
	}
	if err := s.store.ChangeStatus(ctx, ch); err != nil {
		return nil, err
	}
	entry := townhall.StaffAction{Action: "idea.status", TargetKind: "idea", TargetID: id, Target: idea.Title,
		Before: map[string]any{"status": idea.Status}, After: map[string]any{"status": st}, Reason: reason}
	if st == idea.Status && response != "" {
		entry.Action, entry.Before, entry.After = "idea.respond", nil, map[string]any{"response": response}
		if idea.Response != nil {
			entry.Before = map[string]any{"response": idea.Response.Body}
		}
	} else if response != "" {
		entry.After = map[string]any{"status": st, "response": response}
	}
	townhall.RecordStaff(ctx, s.staff, actor, entry)
	if st == StatusDone && s.Rewards != nil {
		s.Rewards.Shipped(ctx, idea.AuthorID)
	}
	if s.notify != nil {
		text := fmt.Sprintf("“%s” is now %s", idea.Title, st.Label())
		if st == idea.Status {
			text = fmt.Sprintf("The product team responded to “%s”", idea.Title)
		}
		// An idea can have tens of thousands of voters: they are told by
		// background jobs, a page at a time, so the request stays fast.
		if err := s.fanOut(ctx, statusFanout{Change: ch.ID, Idea: id, Actor: actor.ID, Author: idea.AuthorID,
			Text: text, At: ch.At, Phase: "voters"}); err != nil {
			s.notifyFailed(err)
		}
	}
	after, err := s.store.Idea(ctx, id, actor.ID)
	if err == nil && ch.From != ch.To {
		s.emitStatusChanged(ctx, actor, after, ch)
	}
	return after, err
}

// History lists an idea's status changes, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]*StatusChange, error) {
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	return s.store.StatusHistory(ctx, id)
}

// Merge merges the duplicate into another idea: votes and comments move, the
// duplicate redirects. Product team only; running it again is harmless.
func (s *Service) Merge(ctx context.Context, actor *townhall.User, dupID, intoID string) (*Idea, error) {
	if err := requireTeam(actor, "merge ideas"); err != nil {
		return nil, err
	}
	dup, err := s.Idea(ctx, actor, dupID)
	if err != nil {
		return nil, err
	}
	if intoID == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "Say which idea to merge into.")
	}
	if !townhall.ValidID(intoID) {
		return nil, ErrMergeTargetNotFound
	}
	if intoID == dupID {
		return nil, townhall.Errorf(townhall.EINVALID, "An idea cannot be merged into itself.")
	}
	followers, ferr := s.store.Followers(ctx, dupID)
	merged, err := s.store.Merge(ctx, dupID, intoID, s.now().UTC())
	if err != nil {
		return nil, err
	}
	into, err := s.store.Idea(ctx, intoID, actor.ID)
	if err != nil {
		return nil, err
	}
	if merged {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "idea.merge", TargetKind: "idea", TargetID: dupID,
			Target: dup.Title, Before: map[string]any{"status": dup.Status, "votes": dup.Votes},
			After: map[string]any{"merged_into": into.ID, "into": into.Title}})
		s.emitMerged(ctx, actor, dup, into)
		if ferr != nil {
			s.notifyFailed(ferr)
		} else {
			s.tell(ctx, actor.ID, followers, "merge",
				fmt.Sprintf("“%s” was merged into “%s”; your vote counts there", dup.Title, into.Title), into.URL())
		}
	}
	return into, nil
}

// MergedFrom lists the duplicates merged into an idea.
func (s *Service) MergedFrom(ctx context.Context, id string) ([]Ref, error) {
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	return s.store.MergedFrom(ctx, id)
}

// Demand shows an idea's votes by customer segment. Product team only.
func (s *Service) Demand(ctx context.Context, actor *townhall.User, id string) ([]SegmentDemand, error) {
	if err := requireTeam(actor, "see demand by segment"); err != nil {
		return nil, err
	}
	if !townhall.ValidID(id) {
		return nil, notFound()
	}
	return s.store.Demand(ctx, id)
}

// Triage returns a page of ideas awaiting a first response from the
// product team: oldest first, or by raw votes, or by weighted demand.
func (s *Service) Triage(ctx context.Context, actor *townhall.User, sort, after string) (townhall.Page[*Idea], error) {
	var page townhall.Page[*Idea]
	if err := requireTeam(actor, "triage ideas"); err != nil {
		return page, err
	}
	if sort == "" {
		sort = TriageOldest
	}
	if sort != TriageOldest && sort != TriageVotes && sort != TriageDemand {
		return page, townhall.Errorf(townhall.EINVALID, "Sort must be oldest, votes or demand.")
	}
	q := TriageQuery{Sort: sort}
	if after != "" {
		c, ok := ParseCursor(after)
		if !ok {
			return page, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
		}
		q.After = c
	}
	return townhall.Paginate(PageSize, func(n int) ([]*Idea, error) {
		q.Limit = n
		return s.store.Triage(ctx, q)
	}, func(last *Idea) string { return cursorOf(sort, last).String() })
}

// Export calls fn for every idea (merged ones too), in creation order, with
// weighted demand filled. Product team only.
func (s *Service) Export(ctx context.Context, actor *townhall.User, fn func(*Idea) error) error {
	if err := requireTeam(actor, "export ideas"); err != nil {
		return err
	}
	after := ""
	for {
		batch, err := s.store.ExportIdeas(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, i := range batch {
			if err := fn(i); err != nil {
				return err
			}
		}
		if len(batch) < 500 {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// Similar suggests existing ideas while someone types a title, so they vote
// instead of proposing a duplicate.
func (s *Service) Similar(ctx context.Context, q string) ([]*Idea, error) {
	q, err := townhall.CleanText("Query", q, 0, 200)
	if err != nil {
		return nil, err
	}
	words, prefix := splitQuery(q)
	if len(words) > 8 {
		words = words[:8]
	}
	if len(words) == 0 && len([]rune(prefix)) < 3 {
		return []*Idea{}, nil
	}
	items, err := s.store.Similar(ctx, words, prefix, 5)
	if items == nil {
		items = []*Idea{}
	}
	return items, err
}

// PopularTags lists the most used tags of the board.
func (s *Service) PopularTags(ctx context.Context, limit int) ([]TagCount, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return s.store.PopularTags(ctx, limit)
}

// tell sends a notification after a write succeeded; failures are reported,
// never returned, because the write itself stands.
func (s *Service) tell(ctx context.Context, actorID string, to []string, kind, text, url string) {
	if s.notify == nil || len(to) == 0 {
		return
	}
	if err := s.notify.Notify(ctx, actorID, to, kind, text, url); err != nil {
		s.notifyFailed(err)
	}
}

func (s *Service) notifyFailed(err error) {
	if s.OnNotifyError != nil {
		s.OnNotifyError(err)
	}
}

// ideaFields are what the staff log shows of an idea that was edited.
func ideaFields(i *Idea) map[string]any {
	return map[string]any{"title": i.Title, "body": i.Body, "tags": i.Tags}
}
