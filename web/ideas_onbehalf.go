package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Votes on behalf of customers: the product team records a customer's
// vote from a sales or support call, by @handle or email, with a note.

func (s *Server) onBehalfRoutes(r *gin.Engine) {
	r.POST("/ideas/:id/votes", s.h(s.voteOnBehalfForm))
	api := s.api()
	api.GET("/ideas/:id/votes", s.h(s.apiProxyVotes))
	api.POST("/ideas/:id/votes", s.h(s.apiVoteOnBehalf))
}

type customerJSON struct {
	ID      string `json:"id"`
	Handle  string `json:"handle"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"` // the product team sees it
	Pending bool   `json:"pending"`         // recorded by email, not signed in yet
}

type proxyVoteJSON struct {
	Customer   customerJSON   `json:"customer"`
	Note       string         `json:"note"`
	RecordedBy ideaAuthorJSON `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
}

type recordedJSON struct {
	Added    bool         `json:"added"`
	Customer customerJSON `json:"customer"`
	Idea     ideaJSON     `json:"idea"`
}

func (s *Server) apiVoteOnBehalf(c *gin.Context) error {
	var req struct {
		User string `json:"user"`
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rec, err := s.svc.Ideas.VoteOnBehalf(c.Request.Context(), currentUser(c), c.Param("id"), ideas.OnBehalf{User: req.User, Note: req.Note})
	if err != nil {
		return err
	}
	status := http.StatusOK // the customer had voted already: nothing new
	if rec.Added {
		status = http.StatusCreated
	}
	u := rec.Customer
	return sendJSON(c, status, recordedJSON{Added: rec.Added, Idea: toIdeaJSON(rec.Idea),
		Customer: customerJSON{ID: u.ID, Handle: u.Handle, Name: u.Name, Email: u.Email, Pending: rec.Pending}})
}

func (s *Server) apiProxyVotes(c *gin.Context) error {
	vs, err := s.svc.Ideas.ProxyVotes(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]proxyVoteJSON, len(vs))
	for i, v := range vs {
		out[i] = proxyVoteJSON{Customer: customerJSON{ID: v.UserID, Handle: v.UserHandle, Name: v.UserName, Email: v.UserEmail, Pending: v.Pending},
			Note: v.Note, RecordedBy: ideaAuthorJSON{v.RecordedBy, v.RecordedByName}, RecordedAt: v.At}
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": out})
}

// voteOnBehalfForm is the idea page's form; it comes back to the page
// saying what happened.
func (s *Server) voteOnBehalfForm(c *gin.Context) error {
	rec, err := s.svc.Ideas.VoteOnBehalf(c.Request.Context(), currentUser(c), c.Param("id"),
		ideas.OnBehalf{User: c.PostForm("user"), Note: c.PostForm("note")})
	if err != nil {
		return s.ideaFormError(c, err)
	}
	outcome := "added"
	if !rec.Added {
		outcome = "already"
	}
	who := "@" + rec.Customer.Handle
	if rec.Pending {
		who = rec.Customer.Email
	}
	return redirectBack(c, rec.Idea.URL()+"?recorded="+outcome+"&customer="+url.QueryEscape(who)+"#on-behalf")
}

// ideaExtras is what the idea page shows of integrations: the release
// note of a shipped idea, and for the product team the votes recorded on
// customers' behalf and the outcome of the last one recorded.
type ideaExtras struct {
	ReleaseNote *ideas.ReleaseNote
	OnBehalf    []*ideas.ProxyVote
	Recorded    string // "added" or "already", after the form
	RecordedFor string // whom for
}

func (s *Server) ideaExtrasOf(c *gin.Context, i *ideas.Idea, d *ideaPageData) error {
	ctx, u := c.Request.Context(), currentUser(c)
	var err error
	if i.Status == ideas.StatusDone {
		if d.ReleaseNote, err = s.svc.Ideas.ReleaseNote(ctx, u, i.ID); err != nil {
			return err
		}
	}
	if u.HasRole(townhall.Role.CanManageProduct) {
		if d.OnBehalf, err = s.svc.Ideas.ProxyVotes(ctx, u, i.ID); err != nil {
			return err
		}
		d.Recorded, d.RecordedFor = c.Query("recorded"), c.Query("customer")
	}
	return nil
}
