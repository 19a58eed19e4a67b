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
	Reply      string // what the reply box starts with (a quote, or what was typed)
	Categories []*forum.Category
	URL        *url.URL
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
	d := &threadData{ThreadView: tv, Viewer: u, URL: c.Request.URL}
	if err := s.markPostsLiked(ctx, u, append([]*forum.Post{tv.First, tv.Accepted}, tv.Posts...)...); err != nil {
		return nil, err
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
// block shows and to whom is decided here, once per post, not by template
// calls: html/template calls eq, and, not and every helper through
// reflection, and those calls were over a quarter of a thread page's CPU.
type postItem struct {
	Post                *forum.Post
	First, Accepted     bool
	Initial, ProfileURL string
	Marks, When         template.HTML
	Like                likeButton
	QuoteURL            string    // "" when the viewer may not quote it
	CanEdit             bool      // the author or a moderator
	CanAccept           bool      // the viewer may accept (or unaccept) this answer
	CanModerate         bool      // history and hiding
	Flag                *flagView // nil when the viewer may not flag it
}

// Item pairs a post with the page it is shown on.
func (d *threadData) Item(p *forum.Post) *postItem {
	it := &postItem{Post: p, First: p.Position == 0, Accepted: p.ID == d.Thread.AcceptedPostID,
		Initial: initial(p.AuthorName), ProfileURL: "/u/" + p.AuthorHandle, Marks: marks(p.AuthorBadge, p.AuthorChampion),
		When: when(p.CreatedAt), Like: d.Like(p)}
	v := d.Viewer
	if v == nil {
		return it
	}
	mine := v.Is(p.AuthorID)
	if d.CanReply && !p.Hidden {
		it.QuoteURL = withQuery(d.URL, "quote", p.ID)
	}
	it.CanEdit = mine || d.CanModerate
	it.CanAccept = d.CanAccept && !it.First && !p.Hidden
	it.CanModerate = d.CanModerate
	if !mine && !p.Hidden && !d.Thread.Hidden {
		if it.First {
			it.Flag = &flagView{"thread", d.Thread.ID, "/t/" + d.Thread.ID}
		} else {
			it.Flag = &flagView{"post", p.ID, "/p/" + p.ID}
		}
	}
	return it
}

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
