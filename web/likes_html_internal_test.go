package web

import (
	"html/template"
	"strings"
	"testing"
)

// likeButtonPartial is the like-button partial as a template, before
// likeButton.HTML wrote it out by hand: the reference that method matches.
const likeButtonPartial = `{{define "like-button"}}
{{- if .Off -}}
<span class="like-button is-static" title="Likes">{{icon "heart"}}<span class="like-count">{{.Likes}}</span><span class="visually-hidden"> {{if eq .Likes 1}}like{{else}}likes{{end}}</span></span>
{{- else if not .SignedIn -}}
<a class="like-button" href="/signin?next={{.Next}}" title="Sign in to like">{{icon "heart"}}<span class="like-count">{{.Likes}}</span><span class="visually-hidden"> {{if eq .Likes 1}}like{{else}}likes{{end}}; sign in to like</span></a>
{{- else if .Own -}}
<span class="like-button is-static" title="Likes of what you wrote">{{icon "heart"}}<span class="like-count" data-testid="like-count">{{.Likes}}</span><span class="visually-hidden"> {{if eq .Likes 1}}like{{else}}likes{{end}}</span></span>
{{- else -}}
<form class="like-form" method="post" action="{{.Action}}" data-kind="{{.Kind}}" data-id="{{.ID}}" data-liked="{{.Liked}}">
  <input type="hidden" name="on" value="{{not .Liked}}">
  <button type="submit" class="like-button" aria-pressed="{{.Liked}}" title="{{if .Liked}}Unlike{{else}}Like{{end}}" data-testid="like">{{icon "heart"}}<span class="like-count" data-testid="like-count">{{.Likes}}</span><span class="visually-hidden"> {{if eq .Likes 1}}like{{else}}likes{{end}}</span></button>
</form>
{{- end -}}
{{end}}`

func TestLikeButtonHTMLMatchesPartial(t *testing.T) {
	ref := template.Must(template.New("").Funcs(template.FuncMap{"icon": icon}).Parse(likeButtonPartial))
	plain := likeButton{Kind: "post", ID: "06h3g6n5c", Action: "/p/06h3g6n5c/like", Next: "/t/06h3g?page=2#post-06h3g6n5c"}
	nasty := likeButton{Kind: `po"st<&>'+=` + "`", ID: "id\x00é ü", Action: "/p/a b%zz%41\"<é>'()!$*,;@[]/like?x=1&y=2#f",
		Next: "/t/ä?x=1&y=<2>#'\"%41 +"}
	scheme := likeButton{Kind: "post", ID: "x", Action: "javascript:alert(1)", Next: "javascript:alert(1)"}
	upper := likeButton{Kind: "post", ID: "x", Action: "HTTPS://example.com/p:1", Next: ""}
	var cases []likeButton
	for _, base := range []likeButton{plain, nasty, scheme, upper} {
		for _, likes := range []int{0, 1, 2, 1234} {
			for mask := 0; mask < 16; mask++ {
				b := base
				b.Likes = likes
				b.Liked, b.SignedIn, b.Own, b.Off = mask&1 != 0, mask&2 != 0, mask&4 != 0, mask&8 != 0
				cases = append(cases, b)
			}
		}
	}
	for _, b := range cases {
		var want strings.Builder
		if err := ref.ExecuteTemplate(&want, "like-button", b); err != nil {
			t.Fatal(err)
		}
		if got := string(b.HTML()); got != want.String() {
			t.Fatalf("%+v:\n got %s\nwant %s", b, got, want.String())
		}
	}
}
