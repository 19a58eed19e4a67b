package forum

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
	"github.com/townhall/townhall/slug"
)

// Notifier delivers in-app notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// Users resolves @handles; auth.Service implements it.
type Users interface {
	UserByHandle(ctx context.Context, handle string) (*townhall.User, error)
}

// Rewards is told, after a write, about what may earn its author a badge;
// loyalty.Service implements it.
type Rewards interface {
	Posted(ctx context.Context, userID string)
	Accepted(ctx context.Context, userID string)
}

// Service is the forum's rules in front of the Store.
type Service struct {
	store  Store
	notify Notifier
	users  Users
	gate   townhall.Gate
	staff  townhall.StaffLog
	now    func() time.Time
	// OnNotifyError is told about notifications that could not be
	// delivered after a successful write; nil ignores them.
	OnNotifyError func(error)
	// Rewards, when set, hears of new posts and accepted answers.
	Rewards Rewards
	// Events hears about new threads, replies and accepted answers
	// (webhooks); nil emits nothing.
	Events townhall.Emitter
}

// NewService returns a Service; n and users may be nil (no notifications,
// no mentions).
func NewService(store Store, n Notifier, users Users) *Service {
	return &Service{store: store, notify: n, users: users, now: time.Now}
}

// SetGate makes the service screen writes through g (nil: no screening).
func (s *Service) SetGate(g townhall.Gate) { s.gate = g }

// held fills t.Held for a hidden thread.
func (s *Service) held(ctx context.Context, t *Thread) {
	t.Held = t.Hidden && townhall.IsHeld(ctx, s.gate, townhall.KindThread, t.ID)
}

// SetStaffLog makes the service record what moderators and admins do
// (hiding, locking, pinning, moving, editing others' posts, categories) in l.
func (s *Service) SetStaffLog(l townhall.StaffLog) { s.staff = l }

func requireModerator(actor *townhall.User, what string) error {
	if err := townhall.SignedIn(actor, what); err != nil {
		return err
	}
	if !actor.Role.CanModerate() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only moderators can %s.", what)
	}
	return nil
}

func threadNotFound() error { return ErrThreadNotFound }
func postNotFound() error   { return ErrPostNotFound }

func isMod(actor *townhall.User) bool { return actor.HasRole(townhall.Role.CanModerate) }

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// Categories lists every category in display order.
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	return s.store.ForumCategories(ctx)
}

// Category finds a category by slug or id.
func (s *Service) Category(ctx context.Context, ref string) (*Category, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 40 && !townhall.ValidID(ref) {
		return nil, ErrCategoryNotFound
	}
	return s.store.ForumCategory(ctx, ref)
}

// SaveCategory creates (empty ID) or updates a category. Admins only.
func (s *Service) SaveCategory(ctx context.Context, actor *townhall.User, c *Category) error {
	if err := townhall.SignedIn(actor, "manage categories"); err != nil {
		return err
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage categories.")
	}
	name, err := townhall.CleanText("Name", c.Name, 2, 60)
	if err != nil {
		return err
	}
	desc, err := townhall.CleanText("Description", c.Description, 0, 500)
	if err != nil {
		return err
	}
	slug := strings.ToLower(strings.TrimSpace(c.Slug))
	if slug == "" {
		slug = Slugify(name)
	}
	if !slugRE.MatchString(slug) {
		return townhall.Errorf(townhall.EINVALID, "Slug must be 1 to 40 lowercase letters, digits or dashes, not starting or ending with a dash.")
	}
	if c.Position < -1000 || c.Position > 1000 {
		return townhall.Errorf(townhall.EINVALID, "Order must be a number from -1000 to 1000.")
	}
	c.Name, c.Description, c.Slug = name, desc, slug
	entry := townhall.StaffAction{Action: "category.create", TargetKind: "category"}
	if c.ID == "" {
		c.ID = townhall.NewID()
		c.CreatedAt = s.now()
	} else {
		if !townhall.ValidID(c.ID) {
			return ErrCategoryNotFound
		}
		old, err := s.store.ForumCategory(ctx, c.ID)
		if err != nil {
			return err
		}
		c.CreatedAt, c.Threads = old.CreatedAt, old.Threads
		entry.Action, entry.Before = "category.update", categoryFields(old)
	}
	if err := s.store.SaveForumCategory(ctx, c); err != nil {
		return err
	}
	entry.TargetID, entry.Target, entry.After = c.ID, c.Name, categoryFields(c)
	townhall.RecordStaff(ctx, s.staff, actor, entry)
	return nil
}

// categoryFields are what the staff log shows of a category.
func categoryFields(c *Category) map[string]any {
	return map[string]any{"name": c.Name, "slug": c.Slug, "description": c.Description, "position": c.Position, "questions": c.Questions}
}

// Slugify derives a category's URL slug from its name.
func Slugify(name string) string { return slug.Make(name, 40) }

// CategoryPage is one page of a category's threads.
type CategoryPage struct {
	Category *Category
	Threads  townhall.Page[*Thread]
}

// Threads lists a category's threads, pinned first, then by last activity.
// Hidden threads are listed for moderators only.
func (s *Service) Threads(ctx context.Context, actor *townhall.User, ref, after string) (*CategoryPage, error) {
	cat, err := s.Category(ctx, ref)
	if err != nil {
		return nil, err
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return nil, err
	}
	threads, err := townhall.Paginate(ThreadsPage, func(n int) ([]*Thread, error) {
		return s.store.Threads(ctx, cat.ID, cur, n, isMod(actor))
	}, func(last *Thread) string {
		return encodeCursor(&ThreadCursor{Pinned: last.Pinned, Activity: last.LastActivity, ID: last.ID})
	})
	if err != nil {
		return nil, err
	}
	return &CategoryPage{Category: cat, Threads: threads}, nil
}

func encodeCursor(c *ThreadCursor) string {
	p := 0
	if c.Pinned {
		p = 1
	}
	return fmt.Sprintf("%d.%d.%s", p, c.Activity.UnixMilli(), c.ID)
}

func decodeCursor(s string) (*ThreadCursor, error) {
	if s == "" {
		return nil, nil
	}
	var p int
	var msec int64
	var id string
	parts := strings.SplitN(s, ".", 3)
	if len(parts) == 3 {
		_, err1 := fmt.Sscanf(parts[0], "%d", &p)
		_, err2 := fmt.Sscanf(parts[1], "%d", &msec)
		id = parts[2]
		if err1 == nil && err2 == nil && (p == 0 || p == 1) && townhall.ValidID(id) {
			return &ThreadCursor{Pinned: p == 1, Activity: time.UnixMilli(msec).UTC(), ID: id}, nil
		}
	}
	return nil, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; go back to the first page.")
}

func cleanTitle(title string) (string, error) {
	t, err := townhall.CleanText("Title", title, MinTitle, MaxTitle)
	if err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(t), " "), nil
}

func cleanBody(body string) (string, error) {
	return townhall.CleanText("Body", body, 1, MaxBody)
}

// Latest returns the most recently active visible threads of every category.
func (s *Service) Latest(ctx context.Context, limit int) ([]*Thread, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	return s.store.LatestThreads(ctx, limit)
}

// ThreadInput is a new thread: the category (slug or id), the title and
// the first post's Markdown.
type ThreadInput struct {
	Category string
	Title    string
	Body     string
}

// CreateThread starts a thread in the category given by slug or id.
func (s *Service) CreateThread(ctx context.Context, actor *townhall.User, in ThreadInput) (*Thread, error) {
	if err := townhall.SignedIn(actor, "start a thread"); err != nil {
		return nil, err
	}
	title, err := cleanTitle(in.Title)
	if err != nil {
		return nil, err
	}
	body, err := cleanBody(in.Body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Category) == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "Category is required.")
	}
	cat, err := s.Category(ctx, in.Category)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, townhall.Errorf(townhall.EINVALID, "Category %q does not exist.", in.Category)
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Thread{ID: townhall.NewID(), CategoryID: cat.ID, CategorySlug: cat.Slug, Title: title, AuthorID: actor.ID,
		AuthorName: actor.Name, LastPosterID: actor.ID, LastPosterName: actor.Name, LastActivity: now, CreatedAt: now, Posts: 1}
	p := &Post{ID: townhall.NewID(), ThreadID: t.ID, AuthorID: actor.ID, AuthorName: actor.Name, AuthorHandle: actor.Handle,
		AuthorRole: actor.Role, Source: body, HTML: markdown.Render(body), CreatedAt: now}
	t.LastPostID = p.ID
	// A new member's thread may be held for review: stored hidden, and
	// nobody is told about it until a moderator publishes it.
	if t.Hidden, err = townhall.ScreenWith(ctx, s.gate, actor, townhall.KindThread, t.ID, title+"\n"+body); err != nil {
		return nil, err
	}
	t.Held = t.Hidden
	if err := s.store.CreateThread(ctx, t, p); err != nil {
		return nil, err
	}
	if !t.Held {
		s.mention(ctx, actor, body, "", t, p)
		s.emitThreadCreated(ctx, actor, t, cat, p)
		if s.Rewards != nil {
			s.Rewards.Posted(ctx, actor.ID)
		}
	}
	townhall.NoteActivity(ctx, s.gate, actor.ID)
	return t, nil
}

// Publish makes a thread held for review public, and does what posting it
// would have: tells the people its first post mentions and emits its
// created event, both as its author's. Moderators only.
func (s *Service) Publish(ctx context.Context, actor, author *townhall.User, threadID string) (*Thread, error) {
	if err := requireModerator(actor, "publish threads"); err != nil {
		return nil, err
	}
	t, first, err := s.Opening(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	if t.Hidden {
		if err := s.store.SetThreadHidden(ctx, t.ID, false); err != nil {
			return nil, err
		}
		t.Hidden, t.Held = false, false
		s.mention(ctx, author, first.Source, "", t, first)
		if cat, err := s.store.ForumCategory(ctx, t.CategoryID); err == nil {
			s.emitThreadCreated(ctx, author, t, cat, first)
		}
		if s.Rewards != nil {
			s.Rewards.Posted(ctx, author.ID)
		}
	}
	return s.store.Thread(ctx, t.ID)
}

// Following says whether actor follows the thread: the follow button of a
// page members share. Signed out, or an id that is none, is false.
func (s *Service) Following(ctx context.Context, actor *townhall.User, threadID string) (bool, error) {
	if actor == nil || !townhall.ValidID(threadID) {
		return false, nil
	}
	return s.store.FollowingThread(ctx, threadID, actor.ID)
}

// visibleThread loads a thread the actor may see.
func (s *Service) visibleThread(ctx context.Context, actor *townhall.User, id string) (*Thread, error) {
	if !townhall.ValidID(id) {
		return nil, threadNotFound()
	}
	t, err := s.store.Thread(ctx, id)
	if err != nil {
		return nil, err
	}
	s.held(ctx, t)
	// A held thread is its author's too: they see it "waiting for review".
	if t.Hidden && !isMod(actor) && !(t.Held && actor.Is(t.AuthorID)) {
		return nil, threadNotFound()
	}
	return t, nil
}

// visiblePost loads a post and its thread, both visible to the actor.
func (s *Service) visiblePost(ctx context.Context, actor *townhall.User, id string) (*Post, *Thread, error) {
	if !townhall.ValidID(id) {
		return nil, nil, postNotFound()
	}
	p, err := s.store.ForumPost(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if p.Hidden && !isMod(actor) {
		return nil, nil, postNotFound()
	}
	t, err := s.visibleThread(ctx, actor, p.ThreadID)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, nil, postNotFound()
	} else if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// ThreadView is one page of a thread as a given person sees it.
type ThreadView struct {
	Thread      *Thread
	Category    *Category
	First       *Post
	Accepted    *Post // the accepted answer, when visible
	Posts       []*Post
	Page        int
	Pages       int
	Following   bool
	CanReply    bool
	CanAccept   bool // the viewer may accept answers here
	CanModerate bool
}

// Thread returns page (from 1) of a thread's replies with its first post
// and accepted answer. Hidden posts are left out for everyone but moderators.
func (s *Service) Thread(ctx context.Context, actor *townhall.User, id string, page int) (*ThreadView, error) {
	t, err := s.visibleThread(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.ForumCategory(ctx, t.CategoryID)
	if err != nil {
		return nil, err
	}
	v := &ThreadView{Thread: t, Category: cat, Pages: max(1, (t.Posts-1+PerPage-1)/PerPage), CanModerate: isMod(actor)}
	if page < 1 {
		page = 1
	}
	if page > v.Pages {
		return nil, townhall.Errorf(townhall.ENOTFOUND, "This thread has only %d page(s).", v.Pages)
	}
	v.Page = page
	// The first post heads every page. On page 1, by far the most read,
	// it comes with the replies in one range query.
	from, to := (page-1)*PerPage+1, page*PerPage
	lo := from
	if page == 1 {
		lo = 0
	}
	all, err := s.store.ForumPosts(ctx, t.ID, lo, to)
	if err != nil {
		return nil, err
	}
	if page == 1 {
		if len(all) > 0 && all[0].Position == 0 {
			v.First = all[0]
			all = all[1:]
		}
	} else {
		first, err := s.store.ForumPosts(ctx, t.ID, 0, 0)
		if err != nil {
			return nil, err
		}
		if len(first) == 1 {
			v.First = first[0]
		}
	}
	for _, p := range all {
		if !p.Hidden || v.CanModerate {
			v.Posts = append(v.Posts, p)
		}
	}
	if t.AcceptedPostID != "" {
		if a, err := s.store.ForumPost(ctx, t.AcceptedPostID); err == nil && (!a.Hidden || v.CanModerate) {
			v.Accepted = a
		}
	}
	if actor != nil {
		if v.Following, err = s.store.FollowingThread(ctx, t.ID, actor.ID); err != nil {
			return nil, err
		}
		v.CanReply = !t.Locked && !t.Held
		v.CanAccept = cat.Questions && (actor.ID == t.AuthorID || v.CanModerate)
	}
	return v, nil
}

// Reply adds a reply to a thread, notifies followers and mentioned people.
func (s *Service) Reply(ctx context.Context, actor *townhall.User, threadID, body string) (*Post, error) {
	if err := townhall.SignedIn(actor, "reply"); err != nil {
		return nil, err
	}
	t, err := s.visibleThread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	body, err = cleanBody(body)
	if err != nil {
		return nil, err
	}
	if t.Locked {
		return nil, lockedErr()
	}
	if t.Held {
		return nil, ErrHeld
	}
	p := &Post{ID: townhall.NewID(), ThreadID: t.ID, AuthorID: actor.ID, AuthorName: actor.Name, AuthorHandle: actor.Handle,
		AuthorRole: actor.Role, Source: body, HTML: markdown.Render(body), CreatedAt: s.now()}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindPost, p.ID, body); err != nil {
		return nil, err
	}
	if err := s.store.AddReply(ctx, p); err != nil {
		return nil, err
	}
	townhall.NoteActivity(ctx, s.gate, actor.ID)
	if s.notify != nil {
		followers, err := s.store.ThreadFollowers(ctx, t.ID)
		if err == nil {
			// The thread's author hears of a direct reply ("reply"); others
			// follow it ("followed_reply"), which email keeps for digests
			// unless they choose otherwise.
			var direct, others []string
			for _, uid := range followers {
				if uid == t.AuthorID {
					direct = append(direct, uid)
				} else {
					others = append(others, uid)
				}
			}
			text := fmt.Sprintf("%s replied in “%s”: %s", actor.Name, t.Title, markdown.Excerpt(body, 120))
			err = s.notify.Notify(ctx, actor.ID, direct, "reply", text, PostURL(t.ID, p))
			if err == nil {
				err = s.notify.Notify(ctx, actor.ID, others, "followed_reply", text, PostURL(t.ID, p))
			}
		}
		s.notifyFailed(err)
	}
	s.mention(ctx, actor, body, "", t, p)
	s.emitPostCreated(ctx, actor, t, p)
	if s.Rewards != nil {
		s.Rewards.Posted(ctx, actor.ID)
	}
	return p, nil
}

func lockedErr() error {
	return ErrLocked
}

// PostURL is the permalink target of a post: its page and anchor.
func PostURL(threadID string, p *Post) string {
	if p.Position <= PerPage {
		return "/t/" + threadID + "#post-" + p.ID
	}
	return "/t/" + threadID + "?page=" + strconv.Itoa(p.Page()) + "#post-" + p.ID
}

func (s *Service) notifyFailed(err error) {
	if err != nil && s.OnNotifyError != nil {
		s.OnNotifyError(err)
	}
}

// mentionRE finds @handles: not inside a word or an email address.
var mentionRE = regexp.MustCompile(`(?:^|[^\w@./-])@([a-z0-9_][a-z0-9_-]{0,29})`)

// Mentions returns the distinct handles mentioned in src, outside code.
func Mentions(src string) []string {
	var out []string
	seen := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(line, "    ") || strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		line = stripInlineCode(line)
		for _, m := range mentionRE.FindAllStringSubmatch(strings.ToLower(line), -1) {
			h := strings.TrimRight(m[1], "-")
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}

func stripInlineCode(line string) string {
	var b strings.Builder
	in := false
	for _, r := range line {
		if r == '`' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mention notifies people newly @mentioned in body (not already in old).
func (s *Service) mention(ctx context.Context, actor *townhall.User, body, old string, t *Thread, p *Post) {
	if s.notify == nil || s.users == nil {
		return
	}
	before := map[string]bool{}
	for _, h := range Mentions(old) {
		before[h] = true
	}
	var ids []string
	for i, h := range Mentions(body) {
		if before[h] || i >= 20 { // a post cannot page the whole community
			continue
		}
		if u, err := s.users.UserByHandle(ctx, h); err == nil {
			ids = append(ids, u.ID)
		}
	}
	if len(ids) > 0 {
		s.notifyFailed(s.notify.Notify(ctx, actor.ID, ids, "mention",
			fmt.Sprintf("%s mentioned you in “%s”", actor.Name, t.Title), PostURL(t.ID, p)))
	}
}

// Opening returns a thread the actor may see with its first post.
func (s *Service) Opening(ctx context.Context, actor *townhall.User, threadID string) (*Thread, *Post, error) {
	t, err := s.visibleThread(ctx, actor, threadID)
	if err != nil {
		return nil, nil, err
	}
	first, err := s.store.ForumPosts(ctx, t.ID, 0, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(first) != 1 {
		return nil, nil, threadNotFound()
	}
	return t, first[0], nil
}

// Post returns one post the actor may see, with its thread.
func (s *Service) Post(ctx context.Context, actor *townhall.User, id string) (*Post, *Thread, error) {
	return s.visiblePost(ctx, actor, id)
}

// Location returns the permalink target of a post.
func (s *Service) Location(ctx context.Context, actor *townhall.User, postID string) (string, error) {
	p, t, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/t/%s?page=%d#post-%s", t.ID, p.Page(), p.ID), nil
}

// Quote returns a Markdown quote of a post to start a reply with.
func (s *Service) Quote(ctx context.Context, actor *townhall.User, postID string) (string, error) {
	p, _, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> @%s [wrote](/p/%s):\n", p.AuthorHandle, p.ID)
	for _, line := range strings.Split(p.Source, "\n") {
		b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
	}
	b.WriteString("\n")
	return b.String(), nil
}

// PostInput is a post's new text, and for a thread's first post
// optionally its new title (empty keeps the title).
type PostInput struct {
	Title string
	Body  string
}

// EditPost changes a post's text (and, for a first post, the thread title
// when in.Title is not empty). Authors edit their own posts; moderators any.
func (s *Service) EditPost(ctx context.Context, actor *townhall.User, postID string, in PostInput) (*Post, error) {
	if err := townhall.SignedIn(actor, "edit posts"); err != nil {
		return nil, err
	}
	p, t, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	mod := isMod(actor)
	if p.AuthorID != actor.ID && !mod {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own posts.")
	}
	if t.Locked && !mod {
		return nil, townhall.Errorf(townhall.ECONFLICT, "This thread is locked; its posts can no longer be edited.")
	}
	body, err := cleanBody(in.Body)
	if err != nil {
		return nil, err
	}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindPost, "", body); err != nil {
		return nil, err
	}
	e := Edit{PostID: p.ID, Source: body, HTML: markdown.Render(body), EditorID: actor.ID, At: s.now(), RevisionID: townhall.NewID()}
	if p.Position == 0 && strings.TrimSpace(in.Title) != "" {
		if e.Title, err = cleanTitle(in.Title); err != nil {
			return nil, err
		}
	}
	if body == p.Source && (e.Title == "" || e.Title == t.Title) {
		return p, nil // nothing changed: no revision, no "edited" mark
	}
	if err := s.store.EditForumPost(ctx, e); err != nil {
		return nil, err
	}
	if actor.ID != p.AuthorID {
		before, after := map[string]any{"body": p.Source}, map[string]any{"body": body}
		if e.Title != "" && e.Title != t.Title {
			before["title"], after["title"] = t.Title, e.Title
		}
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "post.edit", TargetKind: "post", TargetID: p.ID,
			Target: postLabel(p, t), Before: before, After: after})
	}
	s.mention(ctx, actor, body, p.Source, t, p)
	return s.store.ForumPost(ctx, p.ID)
}

// Revisions lists a post's earlier versions. Moderators only.
func (s *Service) Revisions(ctx context.Context, actor *townhall.User, postID string) (*Post, []*Revision, error) {
	if err := requireModerator(actor, "see earlier versions"); err != nil {
		return nil, nil, err
	}
	p, _, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return nil, nil, err
	}
	revs, err := s.store.ForumRevisions(ctx, p.ID)
	return p, revs, err
}

// HidePost hides (or shows again) a post. Hiding a thread's first post
// hides the whole thread. Moderators only.
func (s *Service) HidePost(ctx context.Context, actor *townhall.User, postID string, hidden bool) (*Post, error) {
	if err := requireModerator(actor, "hide posts"); err != nil {
		return nil, err
	}
	p, t, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	entry := townhall.StaffAction{Action: onOff(hidden, "post.hide", "post.unhide"), TargetKind: "post", TargetID: p.ID,
		Target: postLabel(p, t), Before: map[string]bool{"hidden": p.Hidden}, After: map[string]bool{"hidden": hidden}}
	changed := p.Hidden != hidden
	if p.Position == 0 {
		err = s.store.SetThreadHidden(ctx, p.ThreadID, hidden)
		entry = townhall.StaffAction{Action: onOff(hidden, "thread.hide", "thread.unhide"), TargetKind: "thread", TargetID: t.ID,
			Target: t.Title, Before: map[string]bool{"hidden": t.Hidden}, After: map[string]bool{"hidden": hidden}}
		changed = t.Hidden != hidden
	} else {
		err = s.store.SetForumPostHidden(ctx, p.ID, hidden)
	}
	if err != nil {
		return nil, err
	}
	if changed {
		townhall.RecordStaff(ctx, s.staff, actor, entry)
	}
	p.Hidden = hidden
	return p, nil
}

// ThreadAction is a moderator switch on a thread.
type ThreadAction string

// The moderator switches.
const (
	Lock   ThreadAction = "lock"
	Pin    ThreadAction = "pin"
	Hide   ThreadAction = "hide"
	Follow ThreadAction = "follow" // any signed-in user, for themselves
)

// Set turns a thread switch on or off.
func (s *Service) Set(ctx context.Context, actor *townhall.User, threadID string, what ThreadAction, on bool) (*Thread, error) {
	if what == Follow {
		if err := townhall.SignedIn(actor, "follow threads"); err != nil {
			return nil, err
		}
	} else if err := requireModerator(actor, string(what)+" threads"); err != nil {
		return nil, err
	}
	t, err := s.visibleThread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	var was bool // the switch before, for the staff log
	var field string
	switch what {
	case Lock:
		was, field = t.Locked, "locked"
		err = s.store.SetThreadLocked(ctx, t.ID, on)
	case Pin:
		was, field = t.Pinned, "pinned"
		err = s.store.SetThreadPinned(ctx, t.ID, on)
	case Hide:
		was, field = t.Hidden, "hidden"
		err = s.store.SetThreadHidden(ctx, t.ID, on)
	case Follow:
		err = s.store.FollowThread(ctx, t.ID, actor.ID, on)
	default:
		return nil, townhall.Errorf(townhall.EINVALID, "Unknown thread action %q.", what)
	}
	if err != nil {
		return nil, err
	}
	if what != Follow && was != on {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "thread." + onOff(on, string(what), "un"+string(what)),
			TargetKind: "thread", TargetID: t.ID, Target: t.Title, Before: map[string]bool{field: was}, After: map[string]bool{field: on}})
	}
	return s.store.Thread(ctx, t.ID)
}

// Move puts a thread in another category. Moderators only.
func (s *Service) Move(ctx context.Context, actor *townhall.User, threadID, categoryRef string) (*Thread, error) {
	if err := requireModerator(actor, "move threads"); err != nil {
		return nil, err
	}
	t, err := s.visibleThread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	cat, err := s.Category(ctx, categoryRef)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, townhall.Errorf(townhall.EINVALID, "Category %q does not exist.", categoryRef)
	} else if err != nil {
		return nil, err
	}
	if cat.ID != t.CategoryID {
		if err := s.store.MoveThread(ctx, t.ID, cat.ID); err != nil {
			return nil, err
		}
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "thread.move", TargetKind: "thread", TargetID: t.ID,
			Target: t.Title, Before: map[string]string{"category": t.CategorySlug}, After: map[string]string{"category": cat.Slug}})
	}
	return s.store.Thread(ctx, t.ID)
}

// Accept marks a reply as the accepted answer of its question (replacing
// any earlier one); accept false clears it. The question's author and
// moderators may do this, in questions categories only.
func (s *Service) Accept(ctx context.Context, actor *townhall.User, postID string, accept bool) (*Thread, error) {
	if err := townhall.SignedIn(actor, "accept answers"); err != nil {
		return nil, err
	}
	p, t, err := s.visiblePost(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.ForumCategory(ctx, t.CategoryID)
	if err != nil {
		return nil, err
	}
	if actor.ID != t.AuthorID && !isMod(actor) {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only the person who asked (or a moderator) can accept an answer.")
	}
	if !cat.Questions {
		return nil, townhall.Errorf(townhall.ECONFLICT, "Answers can only be accepted in questions categories.")
	}
	if p.Position == 0 {
		return nil, ErrQuestionAnswer
	}
	if p.Hidden {
		return nil, townhall.Errorf(townhall.ECONFLICT, "A hidden reply cannot be the accepted answer.")
	}
	target := p.ID
	if !accept {
		if t.AcceptedPostID != p.ID {
			return t, nil
		}
		target = ""
	} else if t.AcceptedPostID == p.ID {
		return t, nil
	}
	if err := s.store.AcceptAnswer(ctx, t.ID, target); err != nil {
		return nil, err
	}
	townhall.NoteActivity(ctx, s.gate, p.AuthorID)
	if actor.ID != t.AuthorID { // a moderator chose for the person who asked
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: onOff(accept, "thread.accept", "thread.unaccept"),
			TargetKind: "thread", TargetID: t.ID, Target: t.Title,
			Before: map[string]string{"accepted_post_id": t.AcceptedPostID}, After: map[string]string{"accepted_post_id": target}})
	}
	if accept && s.notify != nil {
		s.notifyFailed(s.notify.Notify(ctx, actor.ID, []string{p.AuthorID}, "answer",
			fmt.Sprintf("Your reply was accepted as the answer to “%s”", t.Title), PostURL(t.ID, p)))
	}
	if accept {
		t.AcceptedPostID = p.ID
		s.emitAnswerAccepted(ctx, actor, t, p)
		if s.Rewards != nil {
			s.Rewards.Accepted(ctx, p.AuthorID)
		}
	}
	return s.store.Thread(ctx, t.ID)
}

// onOff picks the staff-log action name for switching something on or off.
func onOff(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

// postLabel names a post in the staff log: its place in its thread.
func postLabel(p *Post, t *Thread) string {
	if p.Position == 0 {
		return fmt.Sprintf("First post of “%s”", t.Title)
	}
	return fmt.Sprintf("Reply #%d in “%s”", p.Position, t.Title)
}
