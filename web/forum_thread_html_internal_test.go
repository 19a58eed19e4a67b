package web

import (
	"fmt"
	"html/template"
	"net/url"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// TestThreadPageHTMLMatchesTemplate renders the thread page's content with
// forum_thread.html as it was before HeadHTML and writeContentTail wrote most of
// it (testdata/forum_thread_before.html) and as it is, over threads in
// every state, seen by every kind of viewer, and requires the same bytes.
func TestThreadPageHTMLMatchesTemplate(t *testing.T) {
	r, ref, now := pageBefore(t, "forum_thread")

	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	post := func(id string, pos int, author string) *forum.Post {
		return &forum.Post{ID: id, ThreadID: "t1", Position: pos, AuthorID: author, AuthorName: "Name " + author + " <&>'\"+",
			AuthorHandle: "h" + author, HTML: template.HTML("<p>post " + id + "</p>"), CreatedAt: at, Likes: pos}
	}
	viewers := map[string]*townhall.User{
		"anonymous": nil,
		"author":    {ID: "u1", Name: "Ann", Handle: "ann", Role: townhall.RoleMember},
		"other":     {ID: "u2", Name: "Bob", Handle: "bob", Role: townhall.RoleMember},
		"moderator": {ID: "u9", Name: "Mo", Handle: "mo", Role: townhall.RoleModerator},
	}
	var n int
	for mask := 0; mask < 1<<7; mask++ {
		for _, pages := range []struct{ page, pages int }{{1, 1}, {1, 2}, {2, 2}, {4, 9}, {9, 9}, {3, 30}} {
			for vname, viewer := range viewers {
				for _, shared := range []bool{false, true} {
					if shared && (viewer == nil || viewer.Role.IsStaff()) {
						continue
					}
					id := "t1<'\"+>" // hole marks take only letters and digits: shared pages get plain ids
					if shared {
						id = "t1"
					}
					th := &forum.Thread{ID: id, Title: `How do I "export" <data> & more?`, AuthorID: "u1", CategoryID: "c1",
						Pinned: mask&1 != 0, Locked: mask&2 != 0, Held: mask&4 != 0, Hidden: mask&8 != 0, Replies: mask % 3}
					first := post("p0", 0, "u1")
					var posts []*forum.Post
					if mask&16 != 0 {
						posts = []*forum.Post{post("p1", 1, "u2"), post("p2", 2, "u3"), post("p3", 3, "u1")}
					}
					var accepted *forum.Post
					if mask&32 != 0 {
						accepted = post("p2", 2, "u3")
						accepted.AuthorRole, accepted.AuthorBadge, accepted.AuthorChampion = townhall.RoleAdmin, "helpful", true
						th.AcceptedPostID = accepted.ID
					}
					cat := &forum.Category{ID: "c1", Slug: "how-to", Name: "How <to> & tips", Questions: true}
					tv := &forum.ThreadView{Thread: th, Category: cat, First: first, Accepted: accepted, Posts: posts,
						Page: pages.page, Pages: pages.pages, Following: mask&64 != 0, CanReply: viewer != nil && !th.Locked,
						CanAccept: viewer != nil && viewer.ID == "u1", CanModerate: viewer != nil && viewer.Role.CanModerate()}
					u, _ := url.Parse(fmt.Sprintf("/t/t1?page=%d&sort=x<y>&quote=p1", pages.page))
					d := &threadData{ThreadView: tv, Viewer: viewer, Shared: shared, URL: u, holes: r.holes,
						Reply: "> quoted <b>&'\"+\n\nmine", Categories: []*forum.Category{cat, {ID: "c2", Slug: "other", Name: "Other"}}}
					v := &view{Site: "Townhall", Title: th.Title, User: viewer, Data: d, Shared: shared, Nav: "forum"}
					n++
					sameContent(t, fmt.Sprintf("mask %d page %d/%d %s shared %v", mask, pages.page, pages.pages, vname, shared), ref, now, v)
				}
			}
		}
	}
	if n < 3000 {
		t.Fatalf("only %d cases compared", n)
	}
}
