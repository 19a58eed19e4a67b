package forum_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall/forum"
)

func TestSearchDocsFollowVisibilityAndAnswers(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	thread := func(hidden bool, accepted string) *forum.Thread {
		return &forum.Thread{ID: "t1", CategorySlug: "help", Title: "Printer offline", AuthorID: "u1", AuthorName: "Ann",
			Hidden: hidden, AcceptedPostID: accepted, CreatedAt: at}
	}
	post := func(pos int, hidden bool) *forum.Post {
		return &forum.Post{ID: fmt.Sprint("p", pos), ThreadID: "t1", Position: pos, AuthorID: "u2", AuthorName: "Bob",
			Source: "Restart it", Hidden: hidden, CreatedAt: at}
	}
	for _, tc := range []struct {
		name          string
		thread        *forum.Thread
		post          *forum.Post
		visible       bool
		status, url   string
		threadVisible bool
		threadStatus  string
	}{
		{"reply", thread(false, ""), post(1, false), true, "", "/t/t1#post-p1", true, ""},
		{"accepted reply", thread(false, "p1"), post(1, false), true, "accepted", "/t/t1#post-p1", true, "solved"},
		{"first post is searched through its thread", thread(false, ""), post(0, false), false, "", "/t/t1#post-p0", true, ""},
		{"hidden reply", thread(false, ""), post(1, true), false, "", "/t/t1#post-p1", true, ""},
		{"reply in a hidden thread", thread(true, ""), post(1, false), false, "", "/t/t1#post-p1", false, ""},
		{"reply on a later page", thread(false, ""), post(forum.PerPage+1, false), true, "", fmt.Sprintf("/t/t1?page=2#post-p%d", forum.PerPage+1), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.post.SearchDoc(tc.thread)
			if d.Visible != tc.visible || d.Status != tc.status || d.URL != tc.url || d.Title != "Printer offline" ||
				d.Body != "Restart it" || d.Category != "help" || d.Author != "Bob" || d.ParentID != "t1" || !d.Created.Equal(at) {
				t.Errorf("post doc = %+v", d)
			}
			td := tc.thread.SearchDoc(&forum.Post{Source: "It says offline"})
			if td.Visible != tc.threadVisible || td.Status != tc.threadStatus || td.URL != "/t/t1" || td.Body != "It says offline" ||
				td.Author != "Ann" || td.Category != "help" {
				t.Errorf("thread doc = %+v", td)
			}
		})
	}
}

func TestPostURLPointsAtThePostsPage(t *testing.T) {
	for _, c := range []struct {
		pos  int
		want string
	}{
		{0, "/t/t1#post-p"},
		{1, "/t/t1#post-p"},
		{forum.PerPage, "/t/t1#post-p"},
		{forum.PerPage + 1, "/t/t1?page=2#post-p"},
		{5*forum.PerPage + 3, "/t/t1?page=6#post-p"},
	} {
		if got := forum.PostURL("t1", &forum.Post{ID: "p", Position: c.pos}); got != c.want {
			t.Errorf("position %d: %s, want %s", c.pos, got, c.want)
		}
	}
}
