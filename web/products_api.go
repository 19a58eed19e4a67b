package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/reviews"
)

// The products JSON API under /api/v1, with each product's rating summary;
// the pages are in products.go.

type ratingJSON struct {
	Average   float64        `json:"average"` // one decimal; 0 without ratings
	Count     int            `json:"count"`
	Histogram map[string]int `json:"histogram"` // "1" to "5" → number of ratings
}

func newRatingJSON(r reviews.Rating) ratingJSON {
	h := make(map[string]int, 5)
	for i, n := range r.Histogram {
		h[strconv.Itoa(i+1)] = n
	}
	return ratingJSON{Average: r.Average(), Count: r.Count, Histogram: h}
}

type productJSON struct {
	ID              string     `json:"id"`
	Slug            string     `json:"slug"`
	Name            string     `json:"name"`
	Description     string     `json:"description"`
	DescriptionHTML string     `json:"description_html"`
	ImageURL        string     `json:"image_url"`
	Archived        bool       `json:"archived"`
	URL             string     `json:"url"`
	Rating          ratingJSON `json:"rating"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

func newProductJSON(p *reviews.Product) productJSON {
	return productJSON{ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description,
		DescriptionHTML: string(p.DescriptionHTML), ImageURL: p.ImageURL, Archived: p.Archived,
		URL: productPath(p), Rating: newRatingJSON(p.Rating), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type productRequest struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	Description *string `json:"description"`
	ImageURL    *string `json:"image_url"`
	Archived    *bool   `json:"archived"`
}

func (r productRequest) input() reviews.ProductInput {
	return reviews.ProductInput{Name: r.Name, Slug: r.Slug, Description: r.Description, ImageURL: r.ImageURL, Archived: r.Archived}
}

func (s *Server) apiProducts(c *gin.Context) error {
	page, err := s.svc.Reviews.Products(c.Request.Context(), currentUser(c), productFilter(c))
	if err != nil {
		return err
	}
	out := pageJSON[productJSON]{Items: []productJSON{}, Next: page.Next}
	for _, p := range page.Items {
		out.Items = append(out.Items, newProductJSON(p))
	}
	return sendJSON(c, http.StatusOK, out)
}

func (s *Server) apiCreateProduct(c *gin.Context) error {
	var req productRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.svc.Reviews.CreateProduct(c.Request.Context(), currentUser(c), req.input())
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusCreated, newProductJSON(p))
}

func (s *Server) apiProduct(c *gin.Context) error {
	p, err := s.svc.Reviews.Product(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	pageOf(c, productItem(p.ID))
	return sendJSON(c, http.StatusOK, newProductJSON(p))
}

func (s *Server) apiUpdateProduct(c *gin.Context) error {
	var req productRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.svc.Reviews.UpdateProduct(c.Request.Context(), currentUser(c), c.Param("id"), req.input())
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, newProductJSON(p))
}
