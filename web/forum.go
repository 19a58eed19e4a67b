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
	r.GET("/forum", s.forumIndex)
	r.GET("/forum/new", s.newThreadPage)
	r.POST("/forum/new", s.newThread)
	r.GET("/forum/categories/manage", s.manageCategoriesPage)
	r.POST("/forum/categories", s.saveCategory)
	r.GET("/c/:slug", s.categoryPage)
	r.GET("/t/:id", s.threadPage)
	r.POST("/t/:id/reply", s.replyForm)
	r.POST("/t/:id/lock", s.threadSwitch(forum.Lock))
	r.POST("/t/:id/pin", s.threadSwitch(forum.Pin))
	r.POST("/t/:id/hide", s.threadSwitch(forum.Hide))
	r.POST("/t/:id/follow", s.threadSwitch(forum.Follow))
	r.POST("/t/:id/move", s.moveForm)
	r.GET("/p/:id", s.permalink)
	r.GET("/p/:id/edit", s.editPostPage)
	r.POST("/p/:id/edit", s.editPostForm)
	r.GET("/p/:id/history", s.postHistoryPage)
	r.POST("/p/:id/accept", s.acceptForm)
	r.POST("/p/:id/hide", s.hidePostForm)
	s.forumAPIRoutes()
}

func (s *Server) forumView(c *gin.Context, title string) *view {
	v := s.view(c, title)
	v.Nav = "forum"
	return v
}

func (s *Server) forumIndex(c *gin.Context) {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.forumView(c, "Forum")
	v.Data = map[string]any{"Categories": cats}
	s.html(c, http.StatusOK, "forum_index", v)
}

type categoryData struct {
	*forum.CategoryPage
	Pager map[string]any
}

func (s *Server) categoryPage(c *gin.Context) {
	page, err := s.svc.Forum.Threads(c.Request.Context(), currentUser(c), c.Param("slug"), c.Query("after"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.forumView(c, page.Category.Name)
	v.Data = categoryData{page, map[string]any{"Next": page.Threads.Next, "URL": c.Request.URL}}
	s.html(c, http.StatusOK, "forum_category", v)
}

type newThreadData struct {
	Categories []*forum.Category
	Selected   string
}

func (s *Server) newThreadData(c *gin.Context, selected string) (*newThreadData, bool) {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return &newThreadData{cats, selected}, true
}

func (s *Server) newThreadPage(c *gin.Context) {
	if _, ok := s.requireUser(c); !ok {
		return
	}
	d, ok := s.newThreadData(c, c.Query("category"))
	if !ok {
		return
	}
	v := s.forumView(c, "New thread")
	v.Data = d
	s.html(c, http.StatusOK, "forum_new", v)
}

func (s *Server) newThread(c *gin.Context) {
	t, err := s.svc.Forum.CreateThread(c.Request.Context(), currentUser(c), c.PostForm("category"), c.PostForm("title"), c.PostForm("body"))
	if err != nil {
		d, ok := s.newThreadData(c, c.PostForm("category"))
		if !ok {
			return
		}
		v := s.forumView(c, "New thread")
		v.Data = d
		s.formError(c, "forum_new", v, err)
		return
	}
	redirectBack(c, t.URL())
}

func (s *Server) manageCategoriesPage(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	if u.Role != townhall.RoleAdmin {
		s.fail(c, townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage categories."))
		return
	}
	s.renderManage(c, http.StatusOK, nil)
}

func (s *Server) renderManage(c *gin.Context, status int, err error) {
	cats, lerr := s.svc.Forum.Categories(c.Request.Context())
	if lerr != nil {
		s.fail(c, lerr)
		return
	}
	v := s.forumView(c, "Manage categories")
	v.Data = map[string]any{"Categories": cats, "EditID": c.PostForm("id")}
	if err != nil {
		s.formError(c, "forum_manage", v, err)
		return
	}
	s.html(c, status, "forum_manage", v)
}

func (s *Server) saveCategory(c *gin.Context) {
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
		s.renderManage(c, 0, err)
		return
	}
	redirectBack(c, "/forum/categories/manage#cat-"+cat.ID)
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

func (s *Server) threadPage(c *gin.Context) {
	d, err := s.threadData(c, pageParam(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if q := c.Query("quote"); q != "" && currentUser(c) != nil {
		if d.Reply, err = s.svc.Forum.Quote(c.Request.Context(), currentUser(c), q); err != nil {
			s.fail(c, err)
			return
		}
	}
	v := s.forumView(c, d.Thread.Title)
	v.Data = d
	s.html(c, http.StatusOK, "forum_thread", v)
}

func (s *Server) replyForm(c *gin.Context) {
	p, err := s.svc.Forum.Reply(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("body"))
	if err != nil {
		s.threadFormError(c, err)
		return
	}
	redirectBack(c, forum.PostURL(p.ThreadID, p))
}

// threadFormError re-renders the thread's last page with the error and
// what the person typed in the reply box.
func (s *Server) threadFormError(c *gin.Context, err error) {
	code := townhall.ErrorCode(err)
	if code == townhall.EUNAUTHORIZED || code == townhall.ENOTFOUND || code == townhall.EFORBIDDEN {
		s.fail(c, err)
		return
	}
	d, lerr := s.threadData(c, 1)
	if lerr != nil {
		s.fail(c, lerr)
		return
	}
	if d.Pages > 1 {
		if d, lerr = s.threadData(c, d.Pages); lerr != nil {
			s.fail(c, lerr)
			return
		}
	}
	d.Reply = c.PostForm("body")
	v := s.forumView(c, d.Thread.Title)
	v.Data = d
	s.formError(c, "forum_thread", v, err)
}

func formOn(c *gin.Context) bool {
	on, _ := strconv.ParseBool(defaultStr(c.PostForm("on"), "true"))
	return on
}

func (s *Server) threadSwitch(what forum.ThreadAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := s.svc.Forum.Set(c.Request.Context(), currentUser(c), c.Param("id"), what, formOn(c))
		if err != nil {
			s.fail(c, err)
			return
		}
		if what == forum.Hide && t.Hidden {
			redirectBack(c, "/c/"+t.CategorySlug)
			return
		}
		redirectBack(c, t.URL())
	}
}

func (s *Server) moveForm(c *gin.Context) {
	t, err := s.svc.Forum.Move(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("category"))
	if err != nil {
		s.threadFormError(c, err)
		return
	}
	redirectBack(c, t.URL())
}

func (s *Server) permalink(c *gin.Context) {
	to, err := s.svc.Forum.Location(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusFound, to)
}

type editData struct {
	Post   *forum.Post
	Thread *forum.Thread
}

func (s *Server) editPostPage(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	p, t, err := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if p.AuthorID != u.ID && !u.Role.CanModerate() {
		s.fail(c, townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own posts."))
		return
	}
	v := s.forumView(c, "Edit post")
	v.Data = editData{p, t}
	v.Form = url.Values{"title": {t.Title}, "body": {p.Source}}
	s.html(c, http.StatusOK, "forum_edit", v)
}

func (s *Server) editPostForm(c *gin.Context) {
	u := currentUser(c)
	p, err := s.svc.Forum.EditPost(c.Request.Context(), u, c.Param("id"), c.PostForm("title"), c.PostForm("body"))
	if err != nil {
		old, t, lerr := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
		if lerr != nil {
			s.fail(c, lerr)
			return
		}
		v := s.forumView(c, "Edit post")
		v.Data = editData{old, t}
		s.formError(c, "forum_edit", v, err)
		return
	}
	redirectBack(c, "/p/"+p.ID)
}

func (s *Server) postHistoryPage(c *gin.Context) {
	p, revs, err := s.svc.Forum.Revisions(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.forumView(c, "Earlier versions")
	v.Data = map[string]any{"Post": p, "Revisions": revs}
	s.html(c, http.StatusOK, "forum_history", v)
}

func (s *Server) acceptForm(c *gin.Context) {
	t, err := s.svc.Forum.Accept(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	redirectBack(c, t.URL())
}

func (s *Server) hidePostForm(c *gin.Context) {
	p, err := s.svc.Forum.HidePost(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	redirectBack(c, "/p/"+p.ID)
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
