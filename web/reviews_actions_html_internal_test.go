package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

// reviewFooterPartials are a review's footer on the product page and its
// actions as templates, before productPageData.ActionsHTML wrote them out
// by hand: the reference that method matches.
const reviewFooterPartials = `{{define "review-footer"}}{{$d := .D}}{{with .R}}{{- $it := $d.Item .}}{{if $it.Variants}}{{holeOpen $it.Hole}}{{range $it.Variants}}{{holeVariant .Name}}{{template "review-actions" .Actions}}{{end}}{{holeClose}}{{else}}{{template "review-actions" $it.Actions}}{{end -}}{{end}}{{end}}
{{define "review-actions"}}{{$a := .}}{{with .Review}}
            {{if $a.Mine}}
            <span class="muted">{{plural .Helpful "person" "people"}} found this helpful</span>
            <a href="/reviews/{{.ID}}/edit">Edit</a>
            <form class="inline" method="post" action="/reviews/{{.ID}}/delete"><button type="submit" class="link danger" data-confirm="Delete your review? This cannot be undone.">Delete</button></form>
            {{else if $a.SignedIn}}
            <form class="inline helpful-form" method="post" action="/reviews/{{.ID}}/helpful" data-review="{{.ID}}">
              {{if $a.Voted}}<input type="hidden" name="undo" value="1">{{end}}
              <button type="submit" class="helpful" aria-pressed="{{if $a.Voted}}true{{else}}false{{end}}">Helpful <span class="helpful-count">{{.Helpful}}</span></button>
            </form>
            {{else}}
            <span class="muted">{{plural .Helpful "person" "people"}} found this helpful</span>
            {{end}}
            {{if and $a.CanModerate (not $a.Mine)}}
            <form class="inline" method="post" action="/reviews/{{.ID}}/delete"><button type="submit" class="link danger" data-confirm="Delete this review as a moderator?">Delete</button></form>
            {{end}}
            {{if and $a.SignedIn (not $a.Mine)}}{{template "flag-form" (flag "review" .ID $a.Back)}}{{end}}
{{end}}{{end}}
`

func TestReviewActionsHTMLMatchesPartials(t *testing.T) {
	holes := newHoleMarks()
	ref := template.Must(postReference(holes).Funcs(template.FuncMap{
		"plural": countOf, "flag": func(kind, id, back string) flagView { return flagView{kind, id, back} },
	}).Parse(reviewFooterPartials))
	author := &townhall.User{ID: "u1"}
	other := &townhall.User{ID: "u2"}
	mod := &townhall.User{ID: "u9", Role: townhall.RoleModerator}
	var n int
	for _, product := range []*reviews.Product{{ID: "p1", Slug: "widget"}, {ID: "p<2>", Slug: "a b&'\"c"}} {
		for _, r := range []reviews.Review{
			{ID: "r1", AuthorID: "u1", Helpful: 0},
			{ID: "r2", AuthorID: "u2", Helpful: 1, Voted: true},
			{ID: "r3", AuthorID: "u3", Helpful: 1234},
			{ID: "r\"4<&>'+", AuthorID: "u4", Helpful: 2},
		} {
			for _, viewer := range []*townhall.User{nil, author, other, mod} {
				for _, shared := range []bool{false, true} {
					if shared && (viewer == nil || viewer == mod) {
						continue
					}
					for _, flip := range []bool{false, true} {
						r := r
						if flip {
							r.Voted = !r.Voted
						}
						d := &productPageData{Product: product, Shared: shared, viewer: viewer, holes: holes}
						var want strings.Builder
						refErr := ref.ExecuteTemplate(&want, "review-footer", struct {
							D *productPageData
							R *reviews.Review
						}{d, &r})
						got, err := d.ActionsHTML(&r)
						if (refErr != nil) != (err != nil) {
							t.Fatalf("viewer %v shared %v review %q: template error %v, HTML error %v", viewer, shared, r.ID, refErr, err)
						}
						if refErr != nil {
							continue
						}
						n++
						if g, w := string(got), want.String(); g != w {
							t.Fatalf("viewer %v shared %v review %q:\n got %q\nwant %q", viewer, shared, r.ID, g, w)
						}
					}
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d cases compared", n)
	}
}
