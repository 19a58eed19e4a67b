package web

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// TestBoardHTMLMatchesTemplate renders the idea board with ideas_board.html
// as it was before MainHTML wrote it (testdata/ideas_board_before.html)
// and as it is, with and without ideas, tags, filters and a next page,
// shared or not, and requires the same bytes.
func TestBoardHTMLMatchesTemplate(t *testing.T) {
	r, ref, now := pageBefore(t, "ideas_board")

	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	items := []*ideas.Idea{
		{ID: "i1", Title: `Dark "mode" <now> & 'then'+`, Status: ideas.StatusOpen, Votes: 12, Comments: 3, Tags: []string{"ui", "a&b"}, CreatedAt: at, AuthorName: "Ann"},
		{ID: "i2", Title: "Export", Status: ideas.StatusPlanned, Votes: 1, CreatedAt: at, AuthorName: "<Bob>", Voted: true},
		{ID: "i3", Title: "Dup", Status: ideas.StatusOpen, MergedInto: "i1", MergedIntoTitle: "Dark <mode>", CreatedAt: at},
	}
	tags := []ideas.TagCount{{Tag: "ui", Ideas: 7}, {Tag: `a&b"<x>`, Ideas: 1}, {Tag: "export", Ideas: 1200}}
	var n int
	for mask := 0; mask < 1<<5; mask++ {
		for _, sort := range ideas.Sorts {
			for _, status := range []string{"", "planned", `x"<>`} {
				for _, shared := range []bool{false, true} {
					d := &boardData{ideasSection: ideasSection{"board"}, Sort: sort, Status: status,
						Sorts: ideas.Sorts, Statuses: ideas.Statuses, holes: r.holes}
					if mask&1 != 0 {
						d.Page.Items = items
					}
					if mask&2 != 0 {
						d.Page.Next = "c<u>r&s'o\"r+"
					}
					if mask&4 != 0 {
						d.Tags = tags
					}
					if mask&8 != 0 {
						d.Tag = "ui"
					}
					if mask&16 != 0 {
						d.Tag = `a&b"<x>`
					}
					d.URL, _ = url.Parse(fmt.Sprintf("/ideas?sort=%s&status=%s&x=%%3Cy%%3E&after=zz", sort, url.QueryEscape(status)))
					v := &view{Site: "Townhall", Title: "Ideas", Data: d, Shared: shared, Nav: "ideas"}
					if shared || mask&1 != 0 {
						v.User = &townhall.User{ID: "u1", Name: "Ann", Role: townhall.RoleMember}
					}
					n++
					sameContent(t, fmt.Sprintf("mask %d sort %s status %q shared %v", mask, sort, status, shared), ref, now, v)
				}
			}
		}
	}
	if n < 500 {
		t.Fatalf("only %d cases compared", n)
	}
}
