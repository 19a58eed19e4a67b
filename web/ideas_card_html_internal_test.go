package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/ideas"
)

// ideaCardPartials are the idea-vote, idea-status and idea-card partials
// as templates, before ideaCard.HTML, voteForm and statusPill wrote them
// out by hand: the reference those match.
const ideaCardPartials = `{{define "idea-vote"}}
<form class="vote-form" method="post" action="/ideas/{{.ID}}/{{if .Voted}}unvote{{else}}vote{{end}}" data-idea="{{.ID}}" data-voted="{{.Voted}}">
  <button type="submit" class="vote-button" aria-pressed="{{.Voted}}" title="{{if .Voted}}Remove your vote{{else}}Vote for this idea{{end}}"{{if or .Merged .Hidden}} disabled{{end}}>
    <span class="vote-arrow" aria-hidden="true">▲</span>
    <span class="vote-count" data-testid="vote-count">{{.Votes}}</span>
    <span class="visually-hidden">{{if eq .Votes 1}}vote{{else}}votes{{end}} for “{{.Title}}”</span>
  </button>
</form>
{{end}}
{{define "idea-status"}}<span class="pill status status-{{.}}">{{.Label}}</span>{{end}}
{{define "idea-card"}}{{$i := .Idea}}
<li class="idea-card" id="idea-{{$i.ID}}">
  {{if $i.Merged}}<div class="vote-box merged-box" aria-hidden="true">↪</div>
  {{else if .Shared}}{{holeOpen (print "vote " $i.ID)}}{{holeVariant "on"}}{{template "idea-vote" (.Voting true)}}{{holeVariant "off"}}{{template "idea-vote" (.Voting false)}}{{holeClose}}
  {{else}}{{template "idea-vote" .Idea}}{{end}}
  <div class="idea-card-main">
    <h2 class="idea-card-title"><a href="/ideas/{{$i.ID}}">{{$i.Title}}</a></h2>
    <p class="idea-meta">
      {{if $i.Merged}}<span class="pill status status-merged">Merged</span> into <a href="/ideas/{{$i.MergedInto}}">{{$i.MergedIntoTitle}}</a>
      {{else}}{{template "idea-status" $i.Status}}{{end}}
      {{with $i.Hidden}}<span class="pill status-hidden" title="Hidden by {{.ByName}}: {{.Reason}}">Hidden</span>{{end}}
      {{range $i.Tags}}<a class="tag" href="/ideas?tag={{.}}">{{.}}</a> {{end}}
      <span class="muted">{{plural $i.Comments "comment" "comments"}}</span>
      <span class="muted">{{when $i.CreatedAt}}</span>
    </p>
  </div>
</li>
{{end}}
`

// refCard is a card as the old partial took it, with the Voting method
// its shared vote hole called.
type refCard struct{ ideaCard }

func (c refCard) Voting(voted bool) *ideas.Idea {
	i := *c.Idea
	i.Voted = voted
	return &i
}

func TestIdeaCardHTMLMatchesPartials(t *testing.T) {
	holes := newHoleMarks()
	ref := template.Must(postReference(holes).Funcs(template.FuncMap{"plural": countOf, "when": when}).Parse(ideaCardPartials))
	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	var n int
	for _, base := range []ideas.Idea{
		{ID: "i1", Title: "Dark mode", Status: ideas.StatusUnderReview, Votes: 1, Comments: 1, CreatedAt: at},
		{ID: "i2", Title: `Export <CSV> & "JSON" +'x'`, Status: ideas.StatusInProgress, Votes: 1234, Comments: 2, CreatedAt: at,
			Tags: []string{"api", "a b&c<d>", "é+"}},
		{ID: "i3", Title: "Old", Status: "done", MergedInto: "i<1>", MergedIntoTitle: "Dark & mode", CreatedAt: at},
		{ID: "i\"4<&>'+", Title: "x", Status: "", Votes: 0, CreatedAt: at,
			Hidden: &ideas.Hidden{ByName: "Mo<d>", Reason: `spam "ads" & 'more'`}},
	} {
		for _, voted := range []bool{false, true} {
			for _, shared := range []bool{false, true} {
				i := base
				i.Voted = voted
				c := ideaCard{Idea: &i, Shared: shared, holes: holes}
				var want strings.Builder
				refErr := ref.ExecuteTemplate(&want, "idea-card", refCard{c})
				got, err := c.HTML()
				if (refErr != nil) != (err != nil) {
					t.Fatalf("%q shared %v: template error %v, HTML error %v", i.ID, shared, refErr, err)
				}
				if refErr == nil {
					n++
					if g, w := string(got), want.String(); g != w {
						t.Fatalf("card %q voted %v shared %v:\n got %q\nwant %q", i.ID, voted, shared, g, w)
					}
				}
				want.Reset()
				if err := ref.ExecuteTemplate(&want, "idea-vote", &i); err != nil {
					t.Fatal(err)
				}
				if g, w := string(voteForm(&i)), want.String(); g != w {
					t.Fatalf("vote %q voted %v:\n got %q\nwant %q", i.ID, voted, g, w)
				}
				want.Reset()
				if err := ref.ExecuteTemplate(&want, "idea-status", i.Status); err != nil {
					t.Fatal(err)
				}
				if g, w := string(statusPill(i.Status)), want.String(); g != w {
					t.Fatalf("status %q:\n got %q\nwant %q", i.Status, g, w)
				}
			}
		}
	}
	if n < 12 {
		t.Fatalf("only %d cards compared", n)
	}
}
