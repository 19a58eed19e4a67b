package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

func (s *Server) ideaRoutes(r *gin.Engine) {
	r.GET("/ideas", s.h(s.ideaBoard))
	r.POST("/ideas", s.h(s.proposeIdea))
	r.GET("/ideas/new", s.h(s.proposePage))
	r.GET("/ideas/roadmap", s.h(s.roadmapPage))
	r.GET("/ideas/mine", s.h(s.ideaListPage(s.svc.Ideas.Mine, myIdeas)))
	r.GET("/ideas/voted", s.h(s.ideaListPage(s.svc.Ideas.Voted, votedIdeas)))
	r.GET("/ideas/triage", s.h(s.triagePage))
	r.GET("/ideas/hidden", s.h(s.ideaListPage(s.svc.Ideas.HiddenIdeas, hiddenIdeas)))
	r.GET("/ideas/:id", s.h(s.ideaPage))
	r.GET("/ideas/:id/edit", s.h(s.editIdeaPage))
	r.POST("/ideas/:id/edit", s.h(s.editIdea))
	r.POST("/ideas/:id/vote", s.h(s.voteForm))
	r.POST("/ideas/:id/unvote", s.h(s.voteForm))
	r.POST("/ideas/:id/comments", s.h(s.commentForm))
	r.POST("/ideas/:id/status", s.h(s.statusForm))
	r.POST("/ideas/:id/merge", s.h(s.mergeForm))
	s.onBehalfRoutes(r)
	s.changelogRoutes(r)
	s.ideaModerationRoutes(r)
	s.ideaAPIRoutes()
}

// ideasSection names the idea board's sub-navigation tab a page belongs to.
type ideasSection struct{ Section string }

type ideaFormData struct {
	ideasSection
	Idea *ideas.Idea // nil when proposing
}

func (s *Server) proposePage(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	v := s.view(c, "Propose an idea")
	v.Nav = "ideas"
	v.Data = &ideaFormData{ideasSection: ideasSection{"new"}}
	v.Form = url.Values{"title": {c.Query("title")}}
	return s.html(c, http.StatusOK, "ideas_form", v)
}

func formInput(c *gin.Context) ideas.Input {
	return ideas.Input{Title: c.PostForm("title"), Body: c.PostForm("body"), Tags: []string{c.PostForm("tags")}}
}

func (s *Server) proposeIdea(c *gin.Context) error {
	i, err := s.svc.Ideas.Propose(c.Request.Context(), currentUser(c), formInput(c))
	if err != nil {
		v := s.view(c, "Propose an idea")
		v.Nav = "ideas"
		v.Data = &ideaFormData{ideasSection: ideasSection{"new"}}
		return rerender("ideas_form", v, err)
	}
	return redirectBack(c, i.URL())
}

func (s *Server) editIdeaPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	i, err := s.svc.Ideas.Idea(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if !s.svc.Ideas.CanEdit(u, i) {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the author and the product team can edit this idea.")
	}
	v := s.view(c, "Edit idea")
	v.Nav = "ideas"
	v.Data = &ideaFormData{Idea: i}
	v.Form = url.Values{"title": {i.Title}, "body": {i.Body}, "tags": {strings.Join(i.Tags, ", ")}}
	return s.html(c, http.StatusOK, "ideas_form", v)
}

func (s *Server) editIdea(c *gin.Context) error {
	u := currentUser(c)
	i, err := s.svc.Ideas.Edit(c.Request.Context(), u, c.Param("id"), formInput(c))
	if err != nil {
		old, lookupErr := s.svc.Ideas.Idea(c.Request.Context(), u, c.Param("id"))
		if lookupErr != nil {
			return lookupErr
		}
		v := s.view(c, "Edit idea")
		v.Nav = "ideas"
		v.Data = &ideaFormData{Idea: old}
		return rerender("ideas_form", v, err)
	}
	s.changed(c, ideaItem(i.ID))
	return redirectBack(c, i.URL())
}

type ideaPageData struct {
	ideasSection
	Idea       *ideas.Idea
	Comments   townhall.Page[*ideas.Comment]
	History    []*ideas.StatusChange
	MergedFrom []ideas.Ref
	Demand     []ideas.SegmentDemand
	Weighted   float64
	CanEdit    bool
	Statuses   []ideas.Status
	FromTitle  string // the duplicate the reader was redirected from
	URL        *url.URL
	Shared     bool // rendered for any member (overlay.go)
	viewer     *townhall.User
	holes      holeMarks // the renderer's, for comments written out in Go
	ideaExtras
}

// Voting is the idea as a member who voted for it (or not) sees it.
func (d *ideaPageData) Voting(voted bool) *ideas.Idea {
	i := *d.Idea
	i.Voted = voted
	return &i
}

// commentActions are a comment's like button and controls as one viewer
// sees them.
type commentActions struct {
	IdeaID      string
	Comment     *ideas.Comment
	Like        likeButton
	CanChange   bool // the author (or a moderator): edit and delete
	CanModerate bool // hide and unhide
	CanFlag     bool
}

// commentItem is a comment's actions on the page: the reader's, or on a
// page members share, a hole with each kind of member's (overlay.go).
type commentItem struct {
	Actions  commentActions
	Hole     string
	Variants []commentVariant
}

type commentVariant struct {
	Name    string
	Actions commentActions // named, not embedded: see postItem
}

// Item gives the actions of comment c on this page.
func (d *ideaPageData) Item(c *ideas.Comment) commentItem {
	if !d.Shared {
		v := d.viewer
		return commentItem{Actions: d.actions(c, v != nil, v.Is(c.AuthorID), c.Liked, ideas.CanModerate(v))}
	}
	it := commentItem{Hole: "comment " + c.ID + " " + c.AuthorID}
	for _, rel := range []string{"own", "on", "off"} {
		it.Variants = append(it.Variants, commentVariant{rel, d.actions(c, true, rel == "own", rel == "on", false)})
	}
	return it
}

func (d *ideaPageData) actions(c *ideas.Comment, signedIn, mine, liked, canModerate bool) commentActions {
	return commentActions{IdeaID: d.Idea.ID, Comment: c, Like: d.like(c, signedIn, mine, liked),
		CanChange:   signedIn && !c.Deleted && (mine || canModerate),
		CanModerate: canModerate,
		CanFlag:     signedIn && !mine && c.Hidden == nil,
	}
}

// ideaPage shows one idea; a merged duplicate redirects to its target.
func (s *Server) ideaPage(c *gin.Context) error {
	i, err := s.svc.Ideas.Idea(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	if i.Merged() {
		c.Redirect(http.StatusMovedPermanently, "/ideas/"+i.MergedInto+"?merged_from="+i.ID)
		return nil
	}
	s.markSeen(c, i.URL())
	pageOf(c, ideaItem(i.ID))
	v, err := s.ideaView(c, i)
	if err != nil {
		return err
	}
	// A held idea shows its author their own notice: that page is theirs.
	if !i.Held && i.Hidden == nil {
		shareable(c)
	}
	return s.html(c, http.StatusOK, "ideas_show", v)
}

// ideaView gathers everything the idea page shows.
func (s *Server) ideaView(c *gin.Context, i *ideas.Idea) (*view, error) {
	ctx := c.Request.Context()
	u := currentUser(c)
	comments, err := s.svc.Ideas.Comments(ctx, u, i.ID, c.Query("after"))
	if err != nil {
		return nil, err
	}
	shared := sharedRender(c) && u != nil
	if !shared {
		if err := s.markCommentsLiked(ctx, u, comments.Items); err != nil {
			return nil, err
		}
	}
	hist, err := s.svc.Ideas.History(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	from, err := s.svc.Ideas.MergedFrom(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	d := &ideaPageData{
		Idea: i, Comments: comments, History: hist, MergedFrom: from, CanEdit: s.svc.Ideas.CanEdit(u, i),
		Statuses: ideas.Statuses, URL: c.Request.URL, Shared: shared, viewer: u,
		holes: s.pages.holes,
	}
	if dupID := c.Query("merged_from"); dupID != "" {
		for _, r := range from {
			if r.ID == dupID {
				d.FromTitle = r.Title
			}
		}
	}
	if u.HasRole(townhall.Role.CanManageProduct) {
		if d.Demand, err = s.svc.Ideas.Demand(ctx, u, i.ID); err != nil {
			return nil, err
		}
		for _, x := range d.Demand {
			d.Weighted += x.Weighted()
		}
	}
	if err := s.ideaExtrasOf(c, i, d); err != nil {
		return nil, err
	}
	v := s.view(c, i.Title)
	v.Nav = "ideas"
	v.Data = d
	v.Feed = &feedLink{"Status changes of “" + i.Title + "”", "/feeds/ideas/" + i.ID + ".atom"}
	return v, nil
}

// ideaFormError re-renders the idea page with the error above the forms and
// what the user typed kept in them.
func (s *Server) ideaFormError(c *gin.Context, err error) error {
	i, lookupErr := s.svc.Ideas.Idea(c.Request.Context(), currentUser(c), c.Param("id"))
	if lookupErr != nil {
		return lookupErr
	}
	if i.Merged() {
		return err
	}
	v, verr := s.ideaView(c, i)
	if verr != nil {
		return verr
	}
	return rerender("ideas_show", v, err)
}

// voteForm handles the vote button without JavaScript; static/ideas.js
// sends the same intent to the JSON API instead.
func (s *Server) voteForm(c *gin.Context) error {
	u := currentUser(c)
	back := sameSiteReferer(c, "/ideas/"+c.Param("id"))
	if u == nil {
		return redirectBack(c, "/signin?next="+url.QueryEscape(back))
	}
	var i *ideas.Idea
	var err error
	if strings.HasSuffix(c.Request.URL.Path, "/unvote") {
		i, err = s.svc.Ideas.Unvote(c.Request.Context(), u, c.Param("id"))
	} else {
		i, err = s.svc.Ideas.Vote(c.Request.Context(), u, c.Param("id"))
	}
	if err != nil {
		return err
	}
	s.changed(c, ideaItem(i.ID))
	return redirectBack(c, back)
}

// sameSiteReferer is the page a form was posted from, so voting from the
// board without JavaScript returns to the board; fallback otherwise.
func sameSiteReferer(c *gin.Context, fallback string) string {
	ref, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || ref.Host != c.Request.Host || ref.Path == "" {
		return fallback
	}
	p := localPath(ref.RequestURI())
	if p == "/" && ref.Path != "/" {
		return fallback
	}
	return p
}

func (s *Server) commentForm(c *gin.Context) error {
	cm, err := s.svc.Ideas.Comment(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("body"))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return redirectBack(c, "/ideas/"+cm.IdeaID+"#comment-"+cm.ID)
}

func (s *Server) statusForm(c *gin.Context) error {
	i, err := s.svc.Ideas.ChangeStatus(c.Request.Context(), currentUser(c), c.Param("id"), ideas.StatusUpdate{
		Status: c.PostForm("status"), Reason: c.PostForm("reason"), Response: c.PostForm("response"),
	})
	if err != nil {
		return s.ideaFormError(c, err)
	}
	return redirectBack(c, i.URL()+"#history")
}

func (s *Server) mergeForm(c *gin.Context) error {
	into, err := s.svc.Ideas.Merge(c.Request.Context(), currentUser(c), c.Param("id"), ideaIDFrom(c.PostForm("into")))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	return redirectBack(c, into.URL())
}

// ideaIDFrom accepts an idea id or a link to an idea page, as the product
// team pastes either into the merge form.
func ideaIDFrom(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && strings.Contains(u.Path, "/ideas/") {
		s = u.Path[strings.LastIndex(u.Path, "/ideas/")+len("/ideas/"):]
		s, _, _ = strings.Cut(s, "/")
	}
	return s
}
