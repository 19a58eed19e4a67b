package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// Forum threads: starting one, its pages of posts, replying, and the
// moderators' switches (lock, pin, hide, move). Routes are in forum.go.

type newThreadData struct {
	Categories []*forum.Category
	Selected   string
}

func (s *Server) newThreadData(c *gin.Context, selected string) (*newThreadData, error) {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return &newThreadData{cats, selected}, nil
}

func (s *Server) newThreadPage(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	d, err := s.newThreadData(c, c.Query("category"))
	if err != nil {
		return err
	}
	v := s.forumView(c, "New thread")
	v.Data = d
	return s.html(c, http.StatusOK, "forum_new", v)
}

func (s *Server) newThread(c *gin.Context) error {
	t, err := s.svc.Forum.CreateThread(c.Request.Context(), currentUser(c), forum.ThreadInput{
		Category: c.PostForm("category"), Title: c.PostForm("title"), Body: c.PostForm("body"),
	})
	if err != nil {
		d, lerr := s.newThreadData(c, c.PostForm("category"))
		if lerr != nil {
			return lerr
		}
		v := s.forumView(c, "New thread")
		v.Data = d
		return rerender("forum_new", v, err)
	}
	return redirectBack(c, t.URL())
}

type threadData struct {
	*forum.ThreadView
	Viewer     *townhall.User
	Shared     bool   // rendered for any member (overlay.go)
	Reply      string // what the reply box starts with (a quote, or what was typed)
	Categories []*forum.Category
	URL        *url.URL
	holes      holeMarks // the renderer's, for posts written out in Go
	last       postLinks // of the post whose actions were made last
}

// postLinks are what a post's actions share, each made the first time
// one asks: on a page members share a post has five variants of its
// actions, and a quote link alone parses and encodes the page's query.
type postLinks struct {
	post              *forum.Post
	like, next, quote string // the like form's action and return address; this page quoting the post
	flag              *flagView
}

// links is p's postLinks.
func (d *threadData) links(p *forum.Post) *postLinks {
	if d.last.post != p {
		d.last = postLinks{post: p}
	}
	return &d.last
}

// quoteURL is this page with p quoted in its reply box.
func (d *threadData) quoteURL(p *forum.Post) string {
	l := d.links(p)
	if l.quote == "" {
		l.quote = withQuery(d.URL, "quote", p.ID)
	}
	return l.quote
}

func pageParam(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func (s *Server) threadData(c *gin.Context, page int) (*threadData, error) {
	ctx := c.Request.Context()
	u := currentUser(c)
	tv, err := s.svc.Forum.Thread(ctx, u, c.Param("id"), page)
	if err != nil {
		return nil, err
	}
	d := &threadData{ThreadView: tv, Viewer: u, URL: c.Request.URL, Shared: sharedRender(c) && u != nil, holes: s.pages.holes}
	if !d.Shared {
		if err := s.markPostsLiked(ctx, u, append([]*forum.Post{tv.First, tv.Accepted}, tv.Posts...)...); err != nil {
			return nil, err
		}
	}
	if tv.CanModerate {
		if d.Categories, err = s.svc.Forum.Categories(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) threadPage(c *gin.Context) error {
	d, err := s.threadData(c, pageParam(c))
	if err != nil {
		return err
	}
	if q := c.Query("quote"); q != "" && currentUser(c) != nil {
		if d.Reply, err = s.svc.Forum.Quote(c.Request.Context(), currentUser(c), q); err != nil {
			return err
		}
	}
	s.markSeen(c, d.Thread.URL())
	pageOf(c, threadItem(d.Thread.ID))
	// A held thread shows its author their own notice, and a quote fills
	// the reply box: those pages are the viewer's alone.
	if !d.Thread.Held && !d.Thread.Hidden && c.Query("quote") == "" {
		shareable(c)
	}
	v := s.forumView(c, d.Thread.Title)
	v.Feed = &feedLink{"Replies to “" + d.Thread.Title + "”", "/feeds/t/" + d.Thread.ID + ".atom"}
	v.Data = d
	return s.html(c, http.StatusOK, "forum_thread", v)
}

func (s *Server) replyForm(c *gin.Context) error {
	p, err := s.svc.Forum.Reply(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("body"))
	if err != nil {
		return s.threadFormError(c, err)
	}
	s.changed(c, threadItem(p.ThreadID))
	return redirectBack(c, forum.PostURL(p.ThreadID, p))
}

// threadFormError re-renders the thread's last page with the error and
// what the person typed in the reply box.
func (s *Server) threadFormError(c *gin.Context, err error) error {
	code := townhall.ErrorCode(err)
	if code == townhall.EUNAUTHORIZED || code == townhall.ENOTFOUND || code == townhall.EFORBIDDEN {
		return err
	}
	d, lerr := s.threadData(c, 1)
	if lerr != nil {
		return lerr
	}
	if d.Pages > 1 {
		if d, lerr = s.threadData(c, d.Pages); lerr != nil {
			return lerr
		}
	}
	d.Reply = c.PostForm("body")
	v := s.forumView(c, d.Thread.Title)
	v.Data = d
	return rerender("forum_thread", v, err)
}

func (s *Server) threadSwitch(what forum.ThreadAction) handler {
	return func(c *gin.Context) error {
		t, err := s.svc.Forum.Set(c.Request.Context(), currentUser(c), c.Param("id"), what, formOn(c))
		if err != nil {
			return err
		}
		if what != forum.Follow { // following shows only on the follower's own pages
			s.changed(c, threadItem(t.ID))
		}
		if what == forum.Hide && t.Hidden {
			return redirectBack(c, "/c/"+t.CategorySlug)
		}
		return redirectBack(c, t.URL())
	}
}

func (s *Server) moveForm(c *gin.Context) error {
	t, err := s.svc.Forum.Move(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("category"))
	if err != nil {
		return s.threadFormError(c, err)
	}
	return redirectBack(c, t.URL())
}

// postItem is what the post block of the thread page renders. What the
// template would otherwise decide per post through reflective calls is
// decided here once.
type postItem struct {
	Post                *forum.Post
	First, Accepted     bool
	Initial, ProfileURL string
	Marks, When         template.HTML
	// Actions is a named field, not embedded: a template reading a field
	// of a struct with an embedded one makes reflect search it breadth
	// first, which was 3% of a loaded server's CPU.
	Actions postActions
	// Hole and Variants are set on a page shared by members: the like
	// button, quote and edit links as each kind of member sees them
	// (overlay.go). The accept button, which only the thread's author
	// sees, and the flag box, which everyone but the post's author sees,
	// are holes of their own (AcceptHole, FlagHole) with one rendering
	// each, rather than doubling the variants of the first.
	Hole       string
	Variants   []postVariant
	AcceptHole string // "" when the post cannot be accepted
	AcceptAs   postActions
	FlagHole   string // "" when the post cannot be flagged
	Flag       *flagView
	holes      holeMarks
}

// postActions are a post's like button and controls as one viewer sees them.
type postActions struct {
	Post        *forum.Post
	Like        likeButton
	QuoteURL    string    // "" when the viewer may not quote it
	CanEdit     bool      // the author or a moderator
	CanAccept   bool      // the viewer may accept (or unaccept) this answer
	CanModerate bool      // history and hiding
	First       bool      // the thread's opening post
	Accepted    bool      // the accepted answer
	Flag        *flagView // nil when the viewer may not flag it
}

type postVariant struct {
	Name    string
	Actions postActions
}

// postViewer is who looks at a post, as far as its actions care.
type postViewer struct {
	signedIn, mine, liked, canAccept, canModerate bool
}

// Item pairs a post with the page it is shown on.
func (d *threadData) Item(p *forum.Post) *postItem {
	it := &postItem{Post: p, First: p.Position == 0, Accepted: p.ID == d.Thread.AcceptedPostID,
		Initial: initial(p.AuthorName), ProfileURL: "/u/" + p.AuthorHandle, Marks: marks(p.AuthorBadge, p.AuthorChampion),
		When: when(p.CreatedAt), holes: d.holes}
	if !d.Shared {
		v := d.Viewer
		it.Actions = d.actions(p, postViewer{signedIn: v != nil, mine: v.Is(p.AuthorID), liked: p.Liked,
			canAccept: d.CanAccept, canModerate: d.CanModerate})
		return it
	}
	// Every member sees one of these: their own post, or another's that
	// they like or not.
	it.Hole = "post " + p.ID + " " + p.AuthorID
	it.Variants = make([]postVariant, 0, 3)
	for _, rel := range []string{"own", "on", "off"} {
		it.Variants = append(it.Variants, postVariant{rel, d.actions(p, postViewer{signedIn: true, mine: rel == "own", liked: rel == "on"})})
	}
	if d.Category.Questions && !it.First && !p.Hidden {
		it.AcceptHole = "by " + d.Thread.AuthorID
		it.AcceptAs = d.actions(p, postViewer{signedIn: true, canAccept: true})
	}
	if other := d.actions(p, postViewer{signedIn: true}); other.Flag != nil {
		it.FlagHole, it.Flag = "by "+p.AuthorID, other.Flag
	}
	return it
}

func (d *threadData) actions(p *forum.Post, v postViewer) postActions {
	a := postActions{Post: p, First: p.Position == 0, Accepted: p.ID == d.Thread.AcceptedPostID, Like: d.Like(p, v)}
	if !v.signedIn {
		return a
	}
	if d.CanReply && !p.Hidden {
		a.QuoteURL = d.quoteURL(p)
	}
	a.CanEdit = v.mine || v.canModerate
	a.CanAccept = v.canAccept && !a.First && !p.Hidden
	a.CanModerate = v.canModerate
	if !v.mine && !p.Hidden && !d.Thread.Hidden {
		l := d.links(p)
		if l.flag == nil { // shared by the variants, which only read it
			if a.First {
				l.flag = &flagView{"thread", d.Thread.ID, "/t/" + d.Thread.ID}
			} else {
				l.flag = &flagView{"post", p.ID, "/p/" + p.ID}
			}
		}
		a.Flag = l.flag
	}
	return a
}

// followButton is the thread's follow button for a member who follows it
// (On) or not.
type followButton struct {
	ID string
	On bool
}

func (d *threadData) Follow(on bool) followButton { return followButton{d.Thread.ID, on} }

// PageNumbers lists the pager's links: the first and last pages and two
// either side of the current one, with 0 where pages are left out, so a
// thread of 500 pages still has a pager that fits on a phone.
func (d *threadData) PageNumbers() []int { return pageWindow(d.Page, d.Pages, 2) }

func pageWindow(cur, pages, around int) []int {
	keep := func(n int) bool { return n == 1 || n == pages || (n >= cur-around && n <= cur+around) }
	var out []int
	for n := 1; n <= pages; n++ {
		switch {
		case keep(n), keep(n-1) && keep(n+1): // a gap of one page shows that page
			out = append(out, n)
		case out[len(out)-1] != 0:
			out = append(out, 0)
		}
	}
	return out
}
