package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// likeJSON is what a like or unlike answers: the liked item's id, its
// count and whether you like it now, the same fields the post and comment
// JSON carry.
type likeJSON struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Likes int    `json:"likes"`
	Liked bool   `json:"liked"`
	URL   string `json:"url"`
}

// apiLike likes (POST) or unlikes (DELETE) a post or comment.
func (s *Server) apiLike(kind string, on bool) handler {
	return func(c *gin.Context) error {
		res, err := s.svc.Loyalty.Like(c.Request.Context(), currentUser(c), kind, c.Param("id"), on)
		if err != nil {
			return err
		}
		s.changedTarget(c, &res.Target)
		return sendJSON(c, http.StatusOK, likeJSON{ID: res.Target.ID, Kind: kind, Likes: res.Target.Likes, Liked: res.Liked,
			URL: loyalty.TargetURL(&res.Target)})
	}
}

// likeForm is the like button without JavaScript: on=true likes, on=false
// unlikes, and the page comes back at the post or comment.
func (s *Server) likeForm(kind string) handler {
	return func(c *gin.Context) error {
		id := c.Param("id")
		if kind == loyalty.KindComment {
			id = c.Param("cid")
		}
		res, err := s.svc.Loyalty.Like(c.Request.Context(), currentUser(c), kind, id, formOn(c))
		if err != nil {
			return err
		}
		s.changedTarget(c, &res.Target)
		return redirectBack(c, loyalty.TargetURL(&res.Target))
	}
}

// changedTarget drops the cached pages showing a liked post's thread or a
// liked comment's idea, whose like counts changed.
func (s *Server) changedTarget(c *gin.Context, t *loyalty.Target) {
	if t.Kind == loyalty.KindComment {
		s.changed(c, ideaItem(t.ParentID))
	} else {
		s.changed(c, threadItem(t.ParentID))
	}
}

// likeButton is what the like-button partial draws for one post or
// comment as the viewer sees it.
type likeButton struct {
	Kind, ID string
	Action   string // the form's address, for browsers without JavaScript
	Next     string // where sign-in returns to
	Likes    int
	Liked    bool
	SignedIn bool
	Own      bool // the viewer wrote it: the count, no button
	Off      bool // hidden or deleted: the count only
}

// Like is the like button of a post on the thread page.
func (d *threadData) Like(p *forum.Post, v postViewer) likeButton {
	l := d.links(p)
	if l.like == "" {
		l.like, l.next = "/p/"+p.ID+"/like", forum.PostURL(d.Thread.ID, p)
	}
	return likeButton{Kind: loyalty.KindPost, ID: p.ID, Action: l.like, Next: l.next,
		Likes: p.Likes, Liked: v.liked, SignedIn: v.signedIn, Own: v.mine, Off: p.Hidden || d.Thread.Hidden}
}

// like is the like button of a comment on the idea page.
func (d *ideaPageData) like(c *ideas.Comment, signedIn, mine, liked bool) likeButton {
	return likeButton{Kind: loyalty.KindComment, ID: c.ID, Action: "/ideas/" + d.Idea.ID + "/comments/" + c.ID + "/like",
		Next: d.Idea.URL() + "#comment-" + c.ID, Likes: c.Likes, Liked: liked, SignedIn: signedIn,
		Own: mine, Off: c.Hidden != nil || c.Deleted || d.Idea.Hidden != nil}
}
