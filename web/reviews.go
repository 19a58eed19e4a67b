package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

// Product reviews: writing, editing and deleting a review, helpful votes
// and the product team's responses. Products themselves are in products.go.
func (s *Server) reviewRoutes(r *gin.Engine) {
	r.GET("/products/:slug/review", s.h(s.writeReviewPage))
	r.POST("/products/:slug/reviews", s.h(s.createReviewForm))
	r.GET("/reviews/:id/edit", s.h(s.editReviewPage))
	r.POST("/reviews/:id/edit", s.h(s.updateReviewForm))
	r.POST("/reviews/:id/delete", s.h(s.deleteReviewForm))
	r.POST("/reviews/:id/helpful", s.h(s.helpfulForm))
	r.POST("/reviews/:id/response", s.h(s.respondForm))
	r.POST("/reviews/:id/response/delete", s.h(s.removeResponseForm))

	api := s.api()
	api.GET("/products/:id/reviews", s.h(s.apiReviews))
	api.POST("/products/:id/reviews", s.h(s.apiCreateReview))
	api.GET("/reviews/:id", s.h(s.apiReview))
	api.PATCH("/reviews/:id", s.h(s.apiUpdateReview))
	api.DELETE("/reviews/:id", s.h(s.apiDeleteReview))
	api.POST("/reviews/:id/helpful", s.h(s.apiHelpful))
	api.DELETE("/reviews/:id/helpful", s.h(s.apiHelpful))
	api.PUT("/reviews/:id/response", s.h(s.apiRespond))
	api.DELETE("/reviews/:id/response", s.h(s.apiRemoveResponse))
	api.PUT("/reviews/:id/hidden", s.h(apiSetHidden(s.svc.Reviews.SetHidden, newReviewJSON)))
}

func reviewPath(p *reviews.Product, r *reviews.Review) string {
	return productPath(p) + "#review-" + r.ID
}

// reviewForm reads the review form; an empty rating means "none chosen".
func reviewForm(c *gin.Context) (reviews.ReviewInput, error) {
	title, body := c.PostForm("title"), c.PostForm("body")
	in := reviews.ReviewInput{Title: &title, Body: &body}
	if v := c.PostForm("rating"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, townhall.Errorf(townhall.EINVALID, "Rating must be a whole number of stars from 1 to 5.")
		}
		in.Rating = &n
	}
	return in, nil
}

func (s *Server) reviewFormView(c *gin.Context, p *reviews.Product, r *reviews.Review, mine *reviews.Review) *view {
	title := "Review " + p.Name
	if r != nil {
		title = "Edit your review of " + p.Name
	}
	v := s.view(c, title)
	v.Nav = "reviews"
	v.Data = map[string]any{"Product": p, "Review": r, "Mine": mine}
	return v
}

func (s *Server) writeReviewPage(c *gin.Context) error {
	ctx := c.Request.Context()
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Reviews.Product(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	mine, err := s.svc.Reviews.MyReview(ctx, u, p.ID)
	if err != nil {
		return err
	}
	if mine != nil {
		return redirectBack(c, "/reviews/"+mine.ID+"/edit")
	}
	if p.Archived {
		return townhall.Errorf(townhall.ECONFLICT, "%s is archived and no longer takes reviews.", p.Name)
	}
	return s.html(c, http.StatusOK, "reviews_form", s.reviewFormView(c, p, nil, nil))
}

func (s *Server) createReviewForm(c *gin.Context) error {
	ctx, actor := c.Request.Context(), currentUser(c)
	p, err := s.svc.Reviews.Product(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	in, err := reviewForm(c)
	var r *reviews.Review
	if err == nil {
		r, err = s.svc.Reviews.CreateReview(ctx, actor, p.ID, in)
	}
	if err != nil {
		// On a duplicate, the form links to the review they already wrote.
		mine, _ := s.svc.Reviews.MyReview(ctx, actor, p.ID)
		return rerender("reviews_form", s.reviewFormView(c, p, nil, mine), err)
	}
	s.changed(c, productItem(p.ID))
	// Newest first, so the new review is at the top of the list.
	return redirectBack(c, productPath(p)+"?sort=newest#review-"+r.ID)
}

// reviewAndProduct loads the review named in the URL and its product.
func (s *Server) reviewAndProduct(c *gin.Context) (*reviews.Review, *reviews.Product, error) {
	ctx := c.Request.Context()
	r, err := s.svc.Reviews.Review(ctx, currentUser(c), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	p, err := s.svc.Reviews.Product(ctx, r.ProductID)
	if err != nil {
		return nil, nil, err
	}
	return r, p, nil
}

func (s *Server) editReviewPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	if r.AuthorID != u.ID {
		return townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own review.")
	}
	v := s.reviewFormView(c, p, r, nil)
	v.Form = url.Values{"rating": {strconv.Itoa(r.Rating)}, "title": {r.Title}, "body": {r.Body}}
	return s.html(c, http.StatusOK, "reviews_form", v)
}

func (s *Server) updateReviewForm(c *gin.Context) error {
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	in, err := reviewForm(c)
	if err == nil {
		_, err = s.svc.Reviews.UpdateReview(c.Request.Context(), currentUser(c), r.ID, in)
	}
	if err != nil {
		return rerender("reviews_form", s.reviewFormView(c, p, r, nil), err)
	}
	s.changed(c, productItem(p.ID))
	return redirectBack(c, reviewPath(p, r))
}

func (s *Server) deleteReviewForm(c *gin.Context) error {
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.Reviews.DeleteReview(c.Request.Context(), currentUser(c), r.ID); err != nil {
		return err
	}
	s.changed(c, productItem(p.ID))
	return redirectBack(c, productPath(p))
}

// helpfulForm is the no-JavaScript helpful toggle: undo=1 takes the vote back.
func (s *Server) helpfulForm(c *gin.Context) error {
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	ctx, actor := c.Request.Context(), currentUser(c)
	if c.PostForm("undo") == "1" {
		_, err = s.svc.Reviews.UnmarkHelpful(ctx, actor, r.ID)
	} else {
		_, err = s.svc.Reviews.MarkHelpful(ctx, actor, r.ID)
	}
	if err != nil {
		return err
	}
	s.changed(c, productItem(p.ID))
	return redirectBack(c, reviewPath(p, r))
}

func (s *Server) respondForm(c *gin.Context) error {
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.Reviews.Respond(c.Request.Context(), currentUser(c), r.ID, c.PostForm("body")); err != nil {
		return err
	}
	return redirectBack(c, reviewPath(p, r))
}

func (s *Server) removeResponseForm(c *gin.Context) error {
	r, p, err := s.reviewAndProduct(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.Reviews.RemoveResponse(c.Request.Context(), currentUser(c), r.ID); err != nil {
		return err
	}
	return redirectBack(c, reviewPath(p, r))
}

// starText draws a rating as five stars, e.g. ★★★★☆ for 4 (or 4.3).
func starText(rating float64) string {
	full := int(rating + 0.5)
	full = min(max(full, 0), 5)
	return strings.Repeat("★", full) + strings.Repeat("☆", 5-full)
}

// ratingChoice is one option of the star picker.
type ratingChoice struct {
	Stars int
	Label string
}

// ratingChoices lists the star picker from best to worst.
func ratingChoices() []ratingChoice {
	return []ratingChoice{{5, "Excellent"}, {4, "Good"}, {3, "Average"}, {2, "Poor"}, {1, "Terrible"}}
}
