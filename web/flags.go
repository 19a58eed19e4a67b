package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/moderation"
)

// Flags: members report what breaks the rules. Every item page has a flag
// form (a <details> that needs no script) posting to /flags; /flags/new is
// the same form on a page of its own, where a refused flag comes back with
// what was typed.
func (s *Server) flagRoutes(r *gin.Engine) {
	r.GET("/flags/new", s.h(s.flagPage))
	r.POST("/flags", s.h(s.flagForm))
	s.api().POST("/flags", s.h(s.apiFlag))
}

// flagView is what the flag form (partials/flag.html) needs: the item and
// where to go back to.
type flagView struct {
	Kind string
	ID   string
	Back string
}

// flagPageData is the flag page: the form and the item it is about.
type flagPageData struct {
	Flag    flagView
	Item    *moderation.Item
	Reasons []string
	Done    bool // the flag was recorded
	Hidden  bool // and it hid the item
}

func (s *Server) flagPageData(c *gin.Context, kind, id, back string) (*flagPageData, error) {
	u, err := requireUser(c)
	if err != nil {
		return nil, err
	}
	d := &flagPageData{Flag: flagView{kind, id, localPath(back)}, Reasons: moderation.Reasons}
	if moderation.ValidKind(kind) && townhall.ValidID(id) {
		if item, err := s.svc.Moderation.ContentItem(c.Request.Context(), u, kind, id); err == nil && !item.Hidden {
			d.Item = item
		}
	}
	return d, nil
}

func (s *Server) flagPage(c *gin.Context) error {
	d, err := s.flagPageData(c, c.Query("kind"), c.Query("id"), c.Query("back"))
	if err != nil {
		return err
	}
	if d.Item == nil {
		return moderation.ErrItemNotFound
	}
	v := s.view(c, "Flag")
	v.Data = d
	return s.html(c, http.StatusOK, "moderation_flag", v)
}

func (s *Server) flagForm(c *gin.Context) error {
	in := moderation.FlagInput{Kind: c.PostForm("kind"), ID: c.PostForm("id"), Reason: c.PostForm("reason"), Text: c.PostForm("text")}
	res, err := s.svc.Moderation.Flag(c.Request.Context(), currentUser(c), in)
	d, derr := s.flagPageData(c, in.Kind, in.ID, c.PostForm("back"))
	if derr != nil {
		return derr
	}
	v := s.view(c, "Flag")
	v.Data = d
	if err != nil {
		if townhall.ErrorCode(err) == townhall.EINVALID && d.Item != nil {
			return rerender("moderation_flag", v, err)
		}
		return err
	}
	d.Done, d.Hidden = true, res.Hidden
	s.flagged(res)
	return s.html(c, http.StatusOK, "moderation_flag", v)
}

// flagJSON is a recorded flag as the API answers it.
type flagJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	ItemID    string    `json:"item_id"`
	Reason    string    `json:"reason"`
	Text      string    `json:"text,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Hidden says this flag hid the item pending review.
	Hidden bool `json:"hidden"`
}

func (s *Server) apiFlag(c *gin.Context) error {
	var req struct {
		Kind   string `json:"kind"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
		Text   string `json:"text"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	res, err := s.svc.Moderation.Flag(c.Request.Context(), currentUser(c), moderation.FlagInput{Kind: req.Kind, ID: req.ID, Reason: req.Reason, Text: req.Text})
	if err != nil {
		return err
	}
	s.flagged(res)
	f := res.Flag
	return sendJSON(c, http.StatusCreated, flagJSON{f.ID, f.Kind, f.ItemID, f.Reason, f.Text, f.CreatedAt, res.Hidden})
}

// flagged drops cached anonymous pages when a flag hid what they may show:
// a member's write, so the staff-write purge does not cover it.
func (s *Server) flagged(res *moderation.FlagResult) {
	if res.Hidden && s.pageCache != nil {
		s.pageCache.purge()
	}
}
