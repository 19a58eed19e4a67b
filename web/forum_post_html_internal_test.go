package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/templates"
)

// postPartials are the forum-post partial and those it called, as
// templates, before postItem.HTML wrote them out by hand: the reference
// that method matches.
const postPartials = `{{define "forum-post"}}{{$p := .Post}}
<article id="post-{{$p.ID}}" class="card forum-post{{if .First}} forum-first{{end}}{{if $p.Hidden}} is-hidden{{end}}{{if .Accepted}} is-accepted{{end}}" data-post="{{$p.ID}}">
  <header class="forum-post-meta">
    <span class="avatar" aria-hidden="true">{{.Initial}}</span>
    <a class="author" href="{{.ProfileURL}}">{{$p.AuthorName}}</a> {{.Marks}} <span class="muted">@{{$p.AuthorHandle}}</span>
    {{if $p.Staff}}<span class="staff-badge" title="Team member">Staff</span>{{end}}
    {{if .Accepted}}<span class="pill forum-solved">✓ Accepted answer</span>{{end}}
    {{if $p.Hidden}}<span class="pill forum-hidden">Hidden</span>{{end}}
    <a class="muted forum-permalink" href="/p/{{$p.ID}}" title="Link to this post">{{.When}}</a>
    {{if $p.Edited}}<span class="muted forum-edited" title="Edited {{iso $p.EditedAt}}">· edited</span>{{end}}
  </header>
  <div class="prose">{{$p.HTML}}</div>
  <footer class="forum-post-actions">
    {{if .Variants}}{{holeOpen .Hole}}{{range .Variants}}{{holeVariant .Name}}{{template "post-main" .Actions}}{{end}}{{holeClose}}
    {{- if .AcceptHole}}{{holeOpen .AcceptHole}}{{holeVariant "own"}}{{template "post-accept" .AcceptAs}}{{holeVariant "other"}}{{holeClose}}{{end}}
    {{- if .FlagHole}}{{holeOpen .FlagHole}}{{holeVariant "own"}}{{holeVariant "other"}}{{template "flag-form" .Flag}}{{holeClose}}{{end}}
    {{- else}}{{template "post-actions" .Actions}}{{end}}
  </footer>
</article>
{{end}}
{{/* post-actions is a post's footer as one viewer sees it; on a page
     members share, post-main, post-accept and the flag box are holes. */}}
{{define "post-actions"}}{{template "post-main" .}}{{template "post-accept" .}}
    {{if .CanModerate}}
    {{if .Post.Edited}}<a class="button small" href="/p/{{.Post.ID}}/history">History</a>{{end}}
    {{if not .First}}<form method="post" action="/p/{{.Post.ID}}/hide" class="inline"><input type="hidden" name="on" value="{{not .Post.Hidden}}"><button type="submit" class="small danger">{{if .Post.Hidden}}Unhide{{else}}Hide{{end}}</button></form>{{end}}
    {{end}}
    {{with .Flag}}{{template "flag-form" .}}{{end}}
{{end}}
{{define "post-main"}}
    {{template "like-button" .Like}}
    {{if .QuoteURL}}<a class="button small" href="{{.QuoteURL}}#reply" data-quote="{{.Post.ID}}">Quote</a>{{end}}
    {{if .CanEdit}}<a class="button small" href="/p/{{.Post.ID}}/edit">Edit</a>{{end}}
{{end}}
{{define "post-accept"}}{{if .CanAccept}}
    <form method="post" action="/p/{{.Post.ID}}/accept" class="inline">
      {{if .Accepted}}<input type="hidden" name="on" value="false"><button type="submit" class="small">Unaccept</button>
      {{else}}<input type="hidden" name="on" value="true"><button type="submit" class="small" data-testid="accept">✓ Accept answer</button>{{end}}
    </form>
{{end}}{{end}}

{{define "flag-form"}}<details class="flag-box" data-testid="flag-{{.Kind}}-{{.ID}}" data-kind="{{.Kind}}" data-id="{{.ID}}" data-back="{{.Back}}">
  <summary>Flag</summary>
  <p class="flag-fallback"><a href="/flags/new?kind={{.Kind}}&amp;id={{.ID}}&amp;back={{.Back}}">Tell the moderators what is wrong with it</a></p>
</details>{{end}}`

// HTML is a post's block as one string: what the old thread page called
// for each post, and what TestPostItemHTMLMatchesPartials and the thread
// page's reference (testdata/forum_thread_before.html) still do. The page
// itself writes posts straight into its block (threadData.writeContentTail).
func (it *postItem) HTML() (template.HTML, error) {
	var w strings.Builder
	w.Grow(postSize(it.Post, len(it.Variants) > 0))
	if err := it.write(&w); err != nil {
		return "", err
	}
	return template.HTML(w.String()), nil
}

// sameHTML fails t at the first byte where got and want differ, with the
// text around it.
func sameHTML(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s differs at byte %d:\n got …%q\nwant …%q", what, i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
}

// pageBefore is page as it was before parts of it were written out in Go
// (testdata/<page>_before.html) beside the renderer's page as it is:
// the pair the *_html_internal_test.go tests compare.
func pageBefore(t *testing.T, page string) (r *renderer, before, now *template.Template) {
	t.Helper()
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/" + page + "_before.html")
	if err != nil {
		t.Fatal(err)
	}
	before = template.Must(template.New("layout.html").Funcs(r.funcs()).ParseFS(templates.FS, "layout.html", "partials/*.html"))
	return r, template.Must(before.Parse(string(text))), r.pages[page]
}

// sameContent fails t when before and now render v's content differently.
func sameContent(t *testing.T, what string, before, now *template.Template, v *view) {
	t.Helper()
	var want, got strings.Builder
	if err := before.ExecuteTemplate(&want, "content", v); err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := now.ExecuteTemplate(&page, "content", v); err != nil {
		t.Fatal(err)
	}
	if tail, ok := v.Data.(contentTail); ok { // as layout writes it
		if err := tail.writeContentTail(&page); err != nil {
			t.Fatal(err)
		}
	}
	got.Write(page.Bytes())
	sameHTML(t, what, got.String(), want.String())
}

func postReference(holes holeMarks) *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"icon": icon, "holeOpen": holes.open, "holeVariant": holes.variant, "holeClose": holes.close,
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}).Parse(postPartials + likeButtonPartial))
}

func TestPostItemHTMLMatchesPartials(t *testing.T) {
	holes := newHoleMarks()
	ref := postReference(holes)
	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	author := &townhall.User{ID: "u1"}
	other := &townhall.User{ID: "u2"}
	posts := []forum.Post{
		{ID: "p0", Position: 0, AuthorID: "u1", AuthorName: "Ann", AuthorHandle: "ann", AuthorRole: townhall.RoleMember,
			HTML: "<p>Hello</p>", CreatedAt: at, Likes: 3},
		{ID: "p1", Position: 1, AuthorID: "u2", AuthorName: "Bob", AuthorHandle: "bob", AuthorRole: townhall.RoleAdmin,
			HTML: "<p>Reply</p>", CreatedAt: at, EditedAt: at.Add(time.Hour), Likes: 1, Liked: true, AuthorBadge: "helpful", AuthorChampion: true},
		{ID: "p2", Position: 2, AuthorID: "u3", AuthorName: "éve", AuthorHandle: "eve", HTML: "<p>x</p>", CreatedAt: at, Hidden: true},
		{ID: "p\"3<&>'+", Position: 3, AuthorID: "u4", AuthorName: "<b>\"Mal\" & 'co'+</b>\x00", AuthorHandle: "m<a>l",
			HTML: "<p>y</p>", CreatedAt: at, EditedAt: at},
	}
	viewers := []*townhall.User{nil, author, other}
	var n int
	for mask := 0; mask < 1<<8; mask++ {
		for _, viewer := range viewers {
			for i := range posts {
				p := posts[i]
				th := &forum.Thread{ID: "t1", AuthorID: "u1", Hidden: mask&1 != 0}
				if mask&2 != 0 {
					th.AcceptedPostID = p.ID
				}
				tv := &forum.ThreadView{Thread: th, Category: &forum.Category{Questions: mask&4 != 0},
					CanReply: mask&8 != 0, CanAccept: mask&16 != 0, CanModerate: mask&32 != 0}
				shared := mask&64 != 0
				if shared && viewer == nil {
					continue
				}
				if mask&128 != 0 {
					p.Liked = !p.Liked
				}
				u, _ := url.Parse("/t/t1?page=2&x=<y>")
				d := &threadData{ThreadView: tv, Viewer: viewer, Shared: shared, URL: u, holes: holes}
				it := d.Item(&p)
				var want strings.Builder
				refErr := ref.ExecuteTemplate(&want, "forum-post", it)
				got, err := it.HTML()
				if (refErr != nil) != (err != nil) {
					t.Fatalf("mask %d viewer %v post %q: template error %v, HTML error %v", mask, viewer, p.ID, refErr, err)
				}
				if refErr != nil {
					continue
				}
				n++
				sameHTML(t, fmt.Sprintf("mask %d viewer %v post %q", mask, viewer, p.ID), string(got), want.String())
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d cases compared", n)
	}
}

func TestFlagViewHTMLMatchesPartial(t *testing.T) {
	ref := postReference(newHoleMarks())
	for _, f := range []flagView{
		{"post", "p1", "/p/p1"},
		{"comment", "c<1>", "/ideas/i1#comment-c1"},
		{`re"view`, "x'+&\x00é", "/products/a b?x=1&y=%zz#frag"},
		{"idea", "i1", "javascript:alert(1)"},
	} {
		var want strings.Builder
		if err := ref.ExecuteTemplate(&want, "flag-form", f); err != nil {
			t.Fatal(err)
		}
		if got := string(f.HTML()); got != want.String() {
			t.Fatalf("%+v:\n got %s\nwant %s", f, got, want.String())
		}
	}
}
