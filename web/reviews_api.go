package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

// The reviews JSON API: reviews, helpful votes and business responses
// under /api/v1; the pages are in reviews.go, products in products_api.go.

type personJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type responseJSON struct {
	Author    personJSON `json:"author"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

type reviewJSON struct {
	ID        string        `json:"id"`
	ProductID string        `json:"product_id"`
	Author    personJSON    `json:"author"`
	Rating    int           `json:"rating"`
	Title     string        `json:"title"`
	Body      string        `json:"body"`
	BodyHTML  string        `json:"body_html"`
	Verified  bool          `json:"verified"`
	Helpful   int           `json:"helpful"`
	Voted     bool          `json:"voted"` // the caller marked it helpful
	Response  *responseJSON `json:"response"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	// Hidden and Held: staff see hidden reviews, their author a held one.
	Hidden bool `json:"hidden,omitempty"`
	Held   bool `json:"held,omitempty"`
}

func newReviewJSON(r *reviews.Review) reviewJSON {
	out := reviewJSON{ID: r.ID, ProductID: r.ProductID, Author: personJSON{r.AuthorID, r.AuthorName},
		Rating: r.Rating, Title: r.Title, Body: r.Body, BodyHTML: string(r.BodyHTML), Verified: r.Verified,
		Helpful: r.Helpful, Voted: r.Voted, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Hidden: r.Hidden != nil, Held: r.Held}
	if resp := r.Response; resp != nil {
		out.Response = &responseJSON{Author: personJSON{resp.AuthorID, resp.AuthorName}, Body: resp.Body,
			BodyHTML: string(resp.BodyHTML), CreatedAt: resp.CreatedAt, UpdatedAt: resp.UpdatedAt}
	}
	return out
}

type pageJSON[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// reviewRequest keeps the rating raw: "4.5", "5" (a string) and null must
// be refused, not rounded or read as zero.
type reviewRequest struct {
	Rating json.RawMessage `json:"rating"`
	Title  *string         `json:"title"`
	Body   *string         `json:"body"`
}

func (r reviewRequest) input() (reviews.ReviewInput, error) {
	in := reviews.ReviewInput{Title: r.Title, Body: r.Body}
	if len(r.Rating) == 0 {
		return in, nil // absent: required on create, unchanged on edit
	}
	raw := string(r.Rating)
	n, err := strconv.Atoi(raw)
	if err != nil || strings.TrimLeft(raw, "-0123456789") != "" {
		return in, townhall.Errorf(townhall.EINVALID, "Rating must be a whole number of stars from 1 to 5 (got %.20s).", raw)
	}
	in.Rating = &n
	return in, nil
}

// reviewFilter reads ?sort=, ?stars= and ?after=.
func reviewFilter(c *gin.Context) (reviews.ReviewFilter, error) {
	f := reviews.ReviewFilter{Sort: c.Query("sort"), After: c.Query("after")}
	if v := c.Query("stars"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return f, townhall.Errorf(townhall.EINVALID, "Stars must be a whole number from 1 to 5.")
		}
		f.Stars = n
	}
	return f, nil
}

func (s *Server) apiReviews(c *gin.Context) error {
	ctx := c.Request.Context()
	f, err := reviewFilter(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Reviews.Product(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	page, err := s.svc.Reviews.Reviews(ctx, currentUser(c), p.ID, f)
	if err != nil {
		return err
	}
	pageOf(c, productItem(p.ID))
	out := pageJSON[reviewJSON]{Items: []reviewJSON{}, Next: page.Next}
	for _, r := range page.Items {
		out.Items = append(out.Items, newReviewJSON(r))
	}
	return sendJSON(c, http.StatusOK, out)
}

// decodeReview reads a review's JSON body.
func decodeReview(c *gin.Context) (reviews.ReviewInput, error) {
	var req reviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return reviews.ReviewInput{}, err
	}
	return req.input()
}

// changedReview drops the cached pages of r's product, if r was written.
func (s *Server) changedReview(c *gin.Context, r *reviews.Review) {
	if r != nil {
		s.changed(c, productItem(r.ProductID))
	}
}

// sendReview answers with the review, or with the error that stopped it.
func sendReview(c *gin.Context, status int, r *reviews.Review, err error) error {
	if err != nil {
		return err
	}
	return sendJSON(c, status, newReviewJSON(r))
}

func (s *Server) apiCreateReview(c *gin.Context) error {
	in, err := decodeReview(c)
	if err != nil {
		return err
	}
	r, err := s.svc.Reviews.CreateReview(c.Request.Context(), currentUser(c), c.Param("id"), in)
	s.changedReview(c, r)
	return sendReview(c, http.StatusCreated, r, err)
}

func (s *Server) apiReview(c *gin.Context) error {
	r, err := s.svc.Reviews.Review(c.Request.Context(), currentUser(c), c.Param("id"))
	if r != nil {
		pageOf(c, productItem(r.ProductID))
	}
	return sendReview(c, http.StatusOK, r, err)
}

func (s *Server) apiUpdateReview(c *gin.Context) error {
	in, err := decodeReview(c)
	if err != nil {
		return err
	}
	r, err := s.svc.Reviews.UpdateReview(c.Request.Context(), currentUser(c), c.Param("id"), in)
	s.changedReview(c, r)
	return sendReview(c, http.StatusOK, r, err)
}

func (s *Server) apiDeleteReview(c *gin.Context) error {
	r, err := s.svc.Reviews.DeleteReview(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	s.changedReview(c, r)
	c.Status(http.StatusNoContent)
	return nil
}

// apiHelpful marks (POST) or unmarks (DELETE) a review as helpful. Both are
// idempotent; voting on your own review is 403.
func (s *Server) apiHelpful(c *gin.Context) error {
	ctx, actor, id := c.Request.Context(), currentUser(c), c.Param("id")
	var r *reviews.Review
	var err error
	if c.Request.Method == http.MethodPost {
		r, err = s.svc.Reviews.MarkHelpful(ctx, actor, id)
	} else {
		r, err = s.svc.Reviews.UnmarkHelpful(ctx, actor, id)
	}
	if err != nil {
		return err
	}
	s.changedReview(c, r) // the count shows on the product's page
	return sendJSON(c, http.StatusOK, gin.H{"helpful": r.Helpful, "voted": r.Voted})
}

func (s *Server) apiRespond(c *gin.Context) error {
	var req struct {
		Body *string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return townhall.Errorf(townhall.EINVALID, "Response is required.")
	}
	r, err := s.svc.Reviews.Respond(c.Request.Context(), currentUser(c), c.Param("id"), *req.Body)
	return sendReview(c, http.StatusOK, r, err)
}

func (s *Server) apiRemoveResponse(c *gin.Context) error {
	r, err := s.svc.Reviews.RemoveResponse(c.Request.Context(), currentUser(c), c.Param("id"))
	return sendReview(c, http.StatusOK, r, err)
}
