package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
	"github.com/townhall/townhall/reviews"
)

// Products: the listing, a product's page with its rating summary and
// reviews, and the product team's forms to add and edit products.
func (s *Server) productRoutes(r *gin.Engine) {
	r.GET("/products", s.h(s.productsPage))
	r.POST("/products", s.h(s.createProductForm))
	r.GET("/products/new", s.h(s.newProductPage))
	r.GET("/products/:slug", s.h(s.productPage))
	r.GET("/products/:slug/edit", s.h(s.editProductPage))
	r.POST("/products/:slug/edit", s.h(s.updateProductForm))

	api := s.api()
	api.GET("/products", s.h(s.apiProducts))
	api.POST("/products", s.h(s.apiCreateProduct))
	api.GET("/products/:id", s.h(s.apiProduct))
	api.PATCH("/products/:id", s.h(s.apiUpdateProduct))
}

func productPath(p *reviews.Product) string { return "/products/" + p.Slug }

// productCard is a listing entry.
type productCard struct {
	*reviews.Product
	Excerpt string
}

func (s *Server) productsPage(c *gin.Context) error {
	actor := currentUser(c)
	f := productFilter(c)
	page, err := s.svc.Reviews.Products(c.Request.Context(), actor, f)
	if err != nil {
		return err
	}
	cards := make([]productCard, 0, len(page.Items))
	for _, p := range page.Items {
		cards = append(cards, productCard{p, markdown.Excerpt(p.Description, 180)})
	}
	v := s.view(c, "Products")
	v.Nav = "reviews"
	v.Data = map[string]any{"Items": cards, "Next": page.Next, "URL": c.Request.URL,
		"Archived": f.Archived && actor.HasRole(townhall.Role.CanManageProduct)}
	return s.html(c, http.StatusOK, "reviews_products", v)
}

// productFilter reads ?after= and ?archived=1 of the product listing.
func productFilter(c *gin.Context) reviews.ProductFilter {
	return reviews.ProductFilter{After: c.Query("after"), Archived: c.Query("archived") == "1"}
}

// productForm reads the product form; every field is always present.
func productForm(c *gin.Context) reviews.ProductInput {
	name, slug := c.PostForm("name"), c.PostForm("slug")
	desc, img := c.PostForm("description"), c.PostForm("image_url")
	archived := c.PostForm("archived") == "1"
	return reviews.ProductInput{Name: &name, Slug: &slug, Description: &desc, ImageURL: &img, Archived: &archived}
}

func (s *Server) newProductPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	if !u.Role.CanManageProduct() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the product team can add products.")
	}
	v := s.view(c, "New product")
	v.Nav = "reviews"
	v.Data = map[string]any{}
	return s.html(c, http.StatusOK, "reviews_product_form", v)
}

func (s *Server) createProductForm(c *gin.Context) error {
	p, err := s.svc.Reviews.CreateProduct(c.Request.Context(), currentUser(c), productForm(c))
	if err != nil {
		v := s.view(c, "New product")
		v.Nav = "reviews"
		v.Data = map[string]any{}
		return rerender("reviews_product_form", v, err)
	}
	return redirectBack(c, productPath(p))
}

func (s *Server) editProductPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Reviews.Product(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	if !u.Role.CanManageProduct() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the product team can edit products.")
	}
	v := s.view(c, "Edit "+p.Name)
	v.Nav = "reviews"
	v.Data = map[string]any{"Product": p}
	v.Form = url.Values{"name": {p.Name}, "slug": {p.Slug}, "description": {p.Description}, "image_url": {p.ImageURL}}
	if p.Archived {
		v.Form.Set("archived", "1")
	}
	return s.html(c, http.StatusOK, "reviews_product_form", v)
}

func (s *Server) updateProductForm(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.svc.Reviews.Product(ctx, c.Param("slug"))
	if err == nil {
		var updated *reviews.Product
		updated, err = s.svc.Reviews.UpdateProduct(ctx, currentUser(c), p.ID, productForm(c))
		if err == nil {
			return redirectBack(c, productPath(updated))
		}
	}
	v := s.view(c, "Edit product")
	v.Nav = "reviews"
	v.Data = map[string]any{"Product": p}
	return rerender("reviews_product_form", v, err)
}

// sortOption is one choice of the review order menu.
type sortOption struct{ Value, Label string }

var sortOptions = []sortOption{
	{reviews.SortHelpful, "Most helpful"},
	{reviews.SortNewest, "Newest"},
	{reviews.SortHighest, "Highest rating"},
	{reviews.SortLowest, "Lowest rating"},
}

// productPageData is what the product page shows.
type productPageData struct {
	Product *reviews.Product
	Reviews []*reviews.Review
	Next    string
	URL     *url.URL
	Mine    *reviews.Review // the viewer's own review, if any
	Sort    string
	Stars   int
	Sorts   []sortOption
	JSONLD  any
	Shared  bool // rendered for any member (overlay.go)
	viewer  *townhall.User
	holes   holeMarks // the renderer's, for reviews written out in Go
	// site and canManage are what a review's item needs of the page:
	// the site's name, and whether the viewer may respond.
	site      string
	canManage bool
}

// reviewActions are a review's helpful button and controls as one viewer
// sees them.
type reviewActions struct {
	Review      *reviews.Review
	SignedIn    bool
	Mine        bool // the viewer wrote it: the count, edit and delete
	Voted       bool // the viewer found it helpful
	CanModerate bool
	Back        string // where the flag form returns to
}

// reviewItem is a review's actions on the page: the reader's, or on a page
// members share, a hole with each kind of member's (overlay.go).
type reviewItem struct {
	Actions  reviewActions
	Hole     string
	Variants []reviewVariant
}

type reviewVariant struct {
	Name    string
	Actions reviewActions // named, not embedded: see postItem
}

// Item gives the actions of review r on this page.
func (d *productPageData) Item(r *reviews.Review) reviewItem {
	a := reviewActions{Review: r, Back: productPath(d.Product) + "#review-" + r.ID}
	if !d.Shared {
		v := d.viewer
		a.SignedIn, a.Mine, a.Voted, a.CanModerate = v != nil, v.Is(r.AuthorID), r.Voted, v.HasRole(townhall.Role.CanModerate)
		return reviewItem{Actions: a}
	}
	it := reviewItem{Hole: "review " + r.ID + " " + r.AuthorID}
	for _, rel := range []string{"own", "on", "off"} {
		v := a
		v.SignedIn, v.Mine, v.Voted = true, rel == "own", rel == "on"
		it.Variants = append(it.Variants, reviewVariant{rel, v})
	}
	return it
}

func (s *Server) productPage(c *gin.Context) error {
	ctx, actor := c.Request.Context(), currentUser(c)
	p, err := s.svc.Reviews.Product(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if c.Param("slug") != p.Slug { // reached by id: one canonical URL per product
		u := *c.Request.URL
		u.Path = productPath(p)
		c.Redirect(http.StatusFound, u.String())
		return nil
	}
	f, err := reviewFilter(c)
	if err != nil {
		f.Stars = 0 // a hand-edited filter falls back to all ratings
	}
	if !validSort(f.Sort) {
		f.Sort = reviews.SortHelpful
	}
	// On a page members share, whose review is whose and who found which
	// helpful are holes, filled for each member (overlay.go).
	shared := sharedRender(c) && actor != nil
	reader := actor
	if shared {
		reader = nil
	}
	page, err := s.svc.Reviews.Reviews(ctx, reader, p.ID, f)
	if err != nil {
		return err
	}
	mine, err := s.svc.Reviews.MyReview(ctx, reader, p.ID)
	if err != nil {
		return err
	}
	s.markSeen(c, productPath(p))
	pageOf(c, productItem(p.ID))
	v := s.view(c, p.Name)
	v.Nav = "reviews"
	v.Data = &productPageData{Product: p, Reviews: page.Items, Next: page.Next, URL: c.Request.URL, Mine: mine,
		Sort: f.Sort, Stars: f.Stars, Sorts: sortOptions, JSONLD: s.productJSONLD(p), Shared: shared, viewer: actor, holes: s.pages.holes,
		site: s.cfg.SiteName, canManage: actor.HasRole(townhall.Role.CanManageProduct)}
	shareable(c)
	return s.html(c, http.StatusOK, "reviews_product", v)
}

func validSort(v string) bool {
	for _, s := range reviews.Sorts {
		if v == s {
			return true
		}
	}
	return false
}

// productJSONLD is the schema.org Product for search engines' rich results.
// The template emits it in a JSON script block, where html/template encodes
// it with encoding/json and escapes "<", so a name cannot close the script.
func (s *Server) productJSONLD(p *reviews.Product) any {
	base := *s.cfg.BaseURL
	base.Path = productPath(p)
	ld := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Product",
		"name":     p.Name,
		"url":      base.String(),
	}
	if d := markdown.Excerpt(p.Description, 300); d != "" {
		ld["description"] = d
	}
	if p.ImageURL != "" {
		ld["image"] = p.ImageURL
	}
	if p.Rating.Count > 0 { // an empty aggregate is invalid for search engines
		ld["aggregateRating"] = map[string]any{
			"@type":       "AggregateRating",
			"ratingValue": p.Rating.Average(),
			"reviewCount": p.Rating.Count,
			"ratingCount": p.Rating.Count,
			"bestRating":  5,
			"worstRating": 1,
		}
	}
	return ld
}
