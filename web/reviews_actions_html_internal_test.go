package web

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

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

// reviewItemPartial is a review's item on the product page as a template,
// before productPageData.ReviewHTML wrote it out by hand: the body of the
// page's range over reviews, with the review in .R, the page in .D, and
// what the page asked once in .CanManage and .Site.
const reviewItemPartial = `{{define "review-item"}}{{$d := .D}}{{$canManage := .CanManage}}{{with .R}}<li id="review-{{.ID}}">
        <article class="card review" aria-label="Review by {{.AuthorName}}">
          <header class="review-head">
            <span class="stars" role="img" aria-label="{{.Rating}} out of 5 stars">{{stars .Rating}}</span>
            {{if .Title}}<h3 class="review-title">{{.Title}}</h3>{{end}}
          </header>
          <p class="review-meta muted">
            <a class="review-author author" href="{{userURL .AuthorID}}">{{.AuthorName}}</a>
            {{if .Verified}}<span class="verified" title="The product team verified this reviewer as a customer">✓ Verified customer</span>{{end}}
            · {{when .CreatedAt}}{{if .Edited}} · edited{{end}}
          </p>
          {{if .Body}}<div class="prose">{{.BodyHTML}}</div>{{end}}
          <footer class="review-foot row">
            {{- $d.ActionsHTML . -}}
          </footer>
          {{with .Response}}
          <div class="review-response">
            <p class="review-meta"><strong>Response from {{$.Site}}</strong> <span class="staff-badge">Staff</span> <span class="muted"><a class="author" href="{{userURL .AuthorID}}">{{.AuthorName}}</a> · {{when .UpdatedAt}}</span></p>
            <div class="prose">{{.BodyHTML}}</div>
          </div>
          {{end}}
          {{if $canManage}}
          <details class="respond">
            <summary>{{if .Response}}Edit the response{{else}}Respond publicly{{end}}</summary>
            <form class="stack" method="post" action="/reviews/{{.ID}}/response">
              <label for="response-{{.ID}}">Response <span class="field-help">(Markdown; the reviewer is notified)</span></label>
              <textarea id="response-{{.ID}}" name="body" required maxlength="20000">{{with .Response}}{{.Body}}{{end}}</textarea>
              <button type="submit" class="primary">Publish response</button>
            </form>
            {{if .Response}}
            <form class="inline" method="post" action="/reviews/{{.ID}}/response/delete"><button type="submit" class="link danger" data-confirm="Remove the response from this review?">Remove the response</button></form>
            {{end}}
          </details>
          {{end}}
        </article>
      </li>{{end}}{{end}}`

func TestReviewHTMLMatchesPartial(t *testing.T) {
	holes := newHoleMarks()
	ref := template.Must(postReference(holes).Funcs(template.FuncMap{
		"stars": func(n int) string { return starText(float64(n)) }, "userURL": func(id string) string { return "/users/" + id },
		"when": when,
	}).Parse(reviewItemPartial))
	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	resp := &reviews.Response{AuthorID: "u9", AuthorName: "Pat <Team>", Body: "Thanks & <sorry> \"x\"", BodyHTML: "<p>Thanks</p>", UpdatedAt: at}
	var n int
	for _, r := range []reviews.Review{
		{ID: "r1", AuthorID: "u1", AuthorName: "Ann", Rating: 5, Title: "Great", Body: "b", BodyHTML: "<p>b</p>", CreatedAt: at, UpdatedAt: at},
		{ID: "r2", AuthorID: "u2", AuthorName: "B<o>b & 'co'", Rating: 1, Verified: true, CreatedAt: at, UpdatedAt: at.Add(time.Hour), Response: resp, Helpful: 3},
		{ID: "r\"3<&>'+", AuthorID: "u3", AuthorName: "Eve", Rating: 3, Title: `"Meh" <3`, Body: "c", BodyHTML: "<p>c</p>", CreatedAt: at, UpdatedAt: at, Response: resp},
	} {
		for _, canManage := range []bool{false, true} {
			for _, shared := range []bool{false, true} {
				for _, site := range []string{"Townhall", `Acme <"Co"> & 'sons'`} {
					d := &productPageData{Product: &reviews.Product{ID: "p1", Slug: "widget"}, Shared: shared, holes: holes, site: site, canManage: canManage}
					if !shared {
						d.viewer = &townhall.User{ID: "u2"}
					}
					var want strings.Builder
					refErr := ref.ExecuteTemplate(&want, "review-item", struct {
						D         *productPageData
						R         *reviews.Review
						CanManage bool
						Site      string
					}{d, &r, canManage, site})
					got, err := d.ReviewHTML(&r)
					if (refErr != nil) != (err != nil) {
						t.Fatalf("review %q shared %v: template error %v, HTML error %v", r.ID, shared, refErr, err)
					}
					if refErr != nil {
						continue
					}
					n++
					sameHTML(t, fmt.Sprintf("review %q manage %v shared %v", r.ID, canManage, shared), string(got), want.String())
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d cases compared", n)
	}
}
