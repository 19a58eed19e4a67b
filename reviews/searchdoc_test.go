package reviews

import "testing"

func TestReviewSearchDoc(t *testing.T) {
	for _, tc := range []struct {
		name, title, wantTitle string
		archived, visible      bool
	}{
		{"titled", "Solid", "Solid", false, true},
		{"untitled goes by the product", "", "Acme Router", false, true},
		{"archived product", "Solid", "Solid", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Product{ID: "p1", Slug: "acme-router", Name: "Acme Router", Archived: tc.archived}
			r := &Review{ID: "r1", ProductID: "p1", AuthorID: "u1", AuthorName: "Ann", Title: tc.title, Body: "Works"}
			d := r.SearchDoc(p)
			if d.Title != tc.wantTitle || d.Visible != tc.visible || d.URL != "/products/acme-router#review-r1" ||
				d.Category != "acme-router" || d.ParentID != "p1" || d.Author != "Ann" || d.Body != "Works" {
				t.Fatalf("doc = %+v", d)
			}
		})
	}
}
