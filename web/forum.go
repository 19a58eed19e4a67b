package web

import (
	"net/http"
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
	v.Feed = threadsFeed
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
	v.Feed = &feedLink{"Threads in " + page.Category.Name, "/feeds/c/" + page.Category.Slug + ".atom"}
	v.Data = categoryData{page, map[string]any{"Next": page.Threads.Next, "URL": c.Request.URL}}
	shareable(c) // members see the same threads
	return s.html(c, http.StatusOK, "forum_category", v)
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

func formOn(c *gin.Context) bool {
	on, _ := strconv.ParseBool(defaultStr(c.PostForm("on"), "true"))
	return on
}
