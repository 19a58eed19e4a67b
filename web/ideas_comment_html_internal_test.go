package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// ideaCommentPartials are an idea page's comment item and its actions as
// templates, before ideaPageData.CommentHTML wrote them out by hand: the
// reference that method matches. The item is the body of the page's
// range over comments, with the comment in .C and the page in .D.
const ideaCommentPartials = `{{define "idea-comment"}}{{$d := .D}}{{with .C}}<li id="comment-{{.ID}}" class="comment{{if .Team}} team{{end}}{{if .Hidden}} is-hidden{{end}}{{if .Deleted}} is-deleted{{end}}">
      {{if .Deleted}}
      <p class="comment-meta muted">Comment deleted · {{when .CreatedAt}}</p>
      {{else}}
      <p class="comment-meta"><a class="author" href="{{userURL .AuthorID}}">{{.AuthorName}}</a>{{if .Team}} <span class="staff-badge">Team</span>{{end}}
        <span class="muted">· {{when .CreatedAt}}{{if not .EditedAt.IsZero}} · <span class="edited" title="Edited {{iso .EditedAt}}">edited</span>{{end}}{{with .MergedFromTitle}} · from the merged idea “{{.}}”{{end}}</span></p>
      {{end}}
      {{with .Hidden}}<p class="hidden-note"><span class="pill status-hidden">Hidden</span> {{if .ByName}}by <a class="author" href="{{userURL .ByID}}">{{.ByName}}</a>{{else}}by community flags{{end}}: {{.Reason}}</p>{{end}}
      {{if not .Deleted}}<div class="prose">{{.BodyHTML}}</div>{{end}}
      {{if not .Deleted}}<div class="comment-actions">
        {{- $it := $d.Item .}}{{if $it.Variants}}{{holeOpen $it.Hole}}{{range $it.Variants}}{{holeVariant .Name}}{{template "idea-comment-actions" .Actions}}{{end}}{{holeClose}}{{else}}{{template "idea-comment-actions" $it.Actions}}{{end -}}
      </div>{{end}}
    </li>{{end}}{{end}}
{{define "idea-comment-actions"}}{{$i := .IdeaID}}
        {{template "like-button" .Like}}
        {{if .CanChange}}{{with .Comment}}
        <a href="/ideas/{{$i}}/comments/{{.ID}}/edit">Edit<span class="visually-hidden"> comment by {{.AuthorName}}</span></a>
        <form method="post" action="/ideas/{{$i}}/comments/{{.ID}}/delete">
          <button type="submit" class="link danger" data-confirm="Delete this comment? Its text will be gone for good.">Delete<span class="visually-hidden"> comment by {{.AuthorName}}</span></button>
        </form>
        {{end}}{{end}}
        {{if .CanModerate}}{{with .Comment}}
        {{if .Hidden}}
        <form method="post" action="/ideas/{{$i}}/comments/{{.ID}}/hidden">
          <input type="hidden" name="hidden" value="0">
          <button type="submit" class="link">Unhide<span class="visually-hidden"> comment by {{.AuthorName}}</span></button>
        </form>
        {{else}}
        <details class="hide-comment">
          <summary>Hide<span class="visually-hidden"> comment by {{.AuthorName}}</span></summary>
          <form class="row" method="post" action="/ideas/{{$i}}/comments/{{.ID}}/hidden">
            <input type="hidden" name="hidden" value="1">
            <label for="hide-{{.ID}}" class="visually-hidden">Reason for hiding</label>
            <input id="hide-{{.ID}}" name="comment_reason" required maxlength="500" placeholder="Reason (staff only)">
            <button type="submit" class="danger">Hide comment</button>
          </form>
        </details>
        {{end}}
        {{end}}{{end}}
        {{if .CanFlag}}{{with .Comment}}{{template "flag-form" (flag "comment" .ID (print "/ideas/" $i "#comment-" .ID))}}{{end}}{{end}}
{{end}}`

func TestIdeaCommentHTMLMatchesPartials(t *testing.T) {
	holes := newHoleMarks()
	ref := template.Must(postReference(holes).Funcs(template.FuncMap{
		"userURL": func(id string) string { return "/users/" + id }, "when": when,
		"flag": func(kind, id, back string) flagView { return flagView{kind, id, back} },
	}).Parse(ideaCommentPartials))
	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	author := &townhall.User{ID: "u1"}
	other := &townhall.User{ID: "u2"}
	mod := &townhall.User{ID: "u9", Role: townhall.RoleModerator}
	comments := []ideas.Comment{
		{ID: "c1", AuthorID: "u1", AuthorName: "Ann", BodyHTML: "<p>Yes</p>", CreatedAt: at, Likes: 2},
		{ID: "c2", AuthorID: "u2", AuthorName: "Bob", Team: true, BodyHTML: "<p>Team</p>", CreatedAt: at, EditedAt: at.Add(time.Hour),
			MergedFrom: "i0", MergedFromTitle: `Dark <mode> & "more"`, Likes: 1, Liked: true},
		{ID: "c3", AuthorID: "u3", AuthorName: "éve", CreatedAt: at, Deleted: true},
		{ID: "c4", AuthorID: "u3", AuthorName: "Eve", BodyHTML: "<p>z</p>", CreatedAt: at, Hidden: &ideas.Hidden{ByID: "u9", ByName: "Mo<d>", Reason: "spam & 'ads'+"}},
		{ID: "c5", AuthorID: "u4", AuthorName: "Fay", BodyHTML: "<p>w</p>", CreatedAt: at, Hidden: &ideas.Hidden{Reason: "flags"}},
		{ID: "c\"6<&>'+", AuthorID: "u5", AuthorName: "<b>\"Mal\" & 'co'+</b>\x00", BodyHTML: "<p>v</p>", CreatedAt: at, EditedAt: at},
	}
	var n int
	for _, ideaID := range []string{"i1", "i<2>&'"} {
		for _, hidden := range []bool{false, true} {
			for _, viewer := range []*townhall.User{nil, author, other, mod} {
				for _, shared := range []bool{false, true} {
					if shared && (viewer == nil || viewer == mod) {
						continue
					}
					for i := range comments {
						for _, flip := range []bool{false, true} {
							c := comments[i]
							if flip {
								c.Liked = !c.Liked
							}
							idea := &ideas.Idea{ID: ideaID}
							if hidden {
								idea.Hidden = &ideas.Hidden{Reason: "off topic"}
							}
							u, _ := url.Parse("/ideas/" + ideaID)
							d := &ideaPageData{Idea: idea, URL: u, Shared: shared, viewer: viewer, holes: holes}
							var want strings.Builder
							refErr := ref.ExecuteTemplate(&want, "idea-comment", struct {
								D *ideaPageData
								C *ideas.Comment
							}{d, &c})
							got, err := d.CommentHTML(&c)
							if (refErr != nil) != (err != nil) {
								t.Fatalf("idea %q viewer %v shared %v comment %q: template error %v, HTML error %v", ideaID, viewer, shared, c.ID, refErr, err)
							}
							if refErr != nil {
								continue
							}
							n++
							sameHTML(t, fmt.Sprintf("idea %q viewer %v shared %v comment %q", ideaID, viewer, shared, c.ID), string(got), want.String())
						}
					}
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d cases compared", n)
	}
}
