package reviews

import "github.com/townhall/townhall"

// URL is the product's page.
func (p *Product) URL() string { return "/products/" + p.Slug }

// URL is the review's place on the page of its product p.
func (r *Review) URL(p *Product) string { return p.URL() + "#review-" + r.ID }

// SearchDoc is the review of product p as the search index sees it: an
// untitled review goes by the product's name, and hidden reviews and
// reviews of archived products are not Visible.
func (r *Review) SearchDoc(p *Product) *townhall.SearchDoc {
	title := r.Title
	if title == "" {
		title = p.Name
	}
	return &townhall.SearchDoc{Kind: townhall.KindReview, ID: r.ID, Title: title, Body: r.Body, Category: p.Slug,
		Author: r.AuthorName, AuthorID: r.AuthorID, ParentID: r.ProductID, URL: r.URL(p), Created: r.CreatedAt,
		Visible: !p.Archived && r.Hidden == nil}
}
