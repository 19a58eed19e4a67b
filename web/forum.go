package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

func (s *Server) forumRoutes(r *gin.Engine) {
	r.GET("/forum", s.h(s.forumIndex))
	r.GET("/forum/new", s.h(s.newThreadPage))
	r.POST("/forum/new", s.h(s.newThread))
	r.GET("/forum/categories/manage", s.h(s.manageCategoriesPage))
	r.POST("/forum/categories", s.h(s.saveCategory))
	r.GET("/c/:slug", s.h(s.categoryPage))
	r.GET("/t/:id", s.h(s.threadPage))
	r.POST("/t/:id/reply", s.h(s.replyForm))
	r.POST("/t/:id/lock", s.h(s.threadSwitch(forum.Lock)))
	r.POST("/t/:id/pin", s.h(s.threadSwitch(forum.Pin)))
	r.POST("/t/:id/hide", s.h(s.threadSwitch(forum.Hide)))
	r.POST("/t/:id/follow", s.h(s.threadSwitch(forum.Follow)))
	r.POST("/t/:id/move", s.h(s.moveForm))
	r.GET("/p/:id", s.h(s.permalink))
	r.GET("/p/:id/edit", s.h(s.editPostPage))
	r.POST("/p/:id/edit", s.h(s.editPostForm))
	r.GET("/p/:id/history", s.h(s.postHistoryPage))
	r.POST("/p/:id/accept", s.h(s.acceptForm))
	r.POST("/p/:id/hide", s.h(s.hidePostForm))
	s.forumAPIRoutes()
}

func (s *Server) forumView(c *gin.Context, title string) *view {
	v := s.view(c, title)
	v.Nav = "forum"
	return v
}

func (s *Server) forumIndex(c *gin.Context) error {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		return err
	}
	v := s.forumView(c, "Forum")
	v.Data = map[string]any{"Categories": cats}
	return s.html(c, http.StatusOK, "forum_index", v)
}

type categoryData struct {
	*forum.CategoryPage
	Pager map[string]any
}

func (s *Server) categoryPage(c *gin.Context) error {
	page, err := s.svc.Forum.Threads(c.Request.Context(), currentUser(c), c.Param("slug"), c.Query("after"))
	if err != nil {
		return err
	}
	v := s.forumView(c, page.Category.Name)
	v.Data = categoryData{page, map[string]any{"Next": page.Threads.Next, "URL": c.Request.URL}}
	return s.html(c, http.StatusOK, "forum_category", v)
}

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

func (s *Server) manageCategoriesPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	if u.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage categories.")
	}
	return s.renderManage(c, nil)
}

// renderManage renders the category manager, with the form the admin
// posted shown again when formErr refused it.
func (s *Server) renderManage(c *gin.Context, formErr error) error {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		return err
	}
	v := s.forumView(c, "Manage categories")
	v.Data = map[string]any{"Categories": cats, "EditID": c.PostForm("id")}
	if formErr != nil {
		return rerender("forum_manage", v, formErr)
	}
	return s.html(c, http.StatusOK, "forum_manage", v)
}

func (s *Server) saveCategory(c *gin.Context) error {
	pos, perr := strconv.Atoi(defaultStr(c.PostForm("position"), "0"))
	cat := &forum.Category{ID: c.PostForm("id"), Name: c.PostForm("name"), Slug: c.PostForm("slug"),
		Description: c.PostForm("description"), Position: pos, Questions: c.PostForm("questions") != ""}
	var err error
	if perr != nil {
		err = townhall.Errorf(townhall.EINVALID, "Order must be a whole number.")
	} else {
		err = s.svc.Forum.SaveCategory(c.Request.Context(), currentUser(c), cat)
	}
	if err != nil {
		return s.renderManage(c, err)
	}
	return redirectBack(c, "/forum/categories/manage#cat-"+cat.ID)
}

func defaultStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
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
	v := s.forumView(c, d.Thread.Title)
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

func formOn(c *gin.Context) bool {
	on, _ := strconv.ParseBool(defaultStr(c.PostForm("on"), "true"))
	return on
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

func (s *Server) permalink(c *gin.Context) error {
	to, err := s.svc.Forum.Location(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Redirect(http.StatusFound, to)
	return nil
}

type editData struct {
	Post   *forum.Post
	Thread *forum.Thread
}

func (s *Server) editPostPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, t, err := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if p.AuthorID != u.ID && !u.Role.CanModerate() {
		return townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own posts.")
	}
	v := s.forumView(c, "Edit post")
	v.Data = editData{p, t}
	v.Form = url.Values{"title": {t.Title}, "body": {p.Source}}
	return s.html(c, http.StatusOK, "forum_edit", v)
}

func (s *Server) editPostForm(c *gin.Context) error {
	u := currentUser(c)
	p, err := s.svc.Forum.EditPost(c.Request.Context(), u, c.Param("id"), forum.PostInput{Title: c.PostForm("title"), Body: c.PostForm("body")})
	if err != nil {
		old, t, lerr := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
		if lerr != nil {
			return lerr
		}
		v := s.forumView(c, "Edit post")
		v.Data = editData{old, t}
		return rerender("forum_edit", v, err)
	}
	return redirectBack(c, "/p/"+p.ID)
}

func (s *Server) postHistoryPage(c *gin.Context) error {
	p, revs, err := s.svc.Forum.Revisions(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.forumView(c, "Earlier versions")
	v.Data = map[string]any{"Post": p, "Revisions": revs}
	return s.html(c, http.StatusOK, "forum_history", v)
}

func (s *Server) acceptForm(c *gin.Context) error {
	t, err := s.svc.Forum.Accept(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		return err
	}
	return redirectBack(c, t.URL())
}

func (s *Server) hidePostForm(c *gin.Context) error {
	p, err := s.svc.Forum.HidePost(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		return err
	}
	return redirectBack(c, "/p/"+p.ID)
}

// postItem is what the post block of the thread page renders.
type postItem struct {
	Post *forum.Post
	D    *threadData
}

// Item pairs a post with the page it is shown on.
func (d *threadData) Item(p *forum.Post) postItem { return postItem{p, d} }

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
