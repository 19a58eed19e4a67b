package forum

import "github.com/townhall/townhall"

// URL is the post's place in its thread: the page it is on and its anchor.
func (p *Post) URL() string { return PostURL(p.ThreadID, p) }

// SearchDoc is the thread as the search index sees it: its title, its first
// post's text and its category. Hidden threads are not Visible; answered
// questions have the status "solved".
func (t *Thread) SearchDoc(first *Post) *townhall.SearchDoc {
	d := &townhall.SearchDoc{Kind: townhall.KindThread, ID: t.ID, Title: t.Title, Body: first.Source, Category: t.CategorySlug,
		Author: t.AuthorName, AuthorID: t.AuthorID, URL: t.URL(), Created: t.CreatedAt, Visible: !t.Hidden}
	if t.Solved() {
		d.Status = "solved"
	}
	return d
}

// SearchDoc is the reply as the search index sees it, under its thread's
// title. The first post is searched through its thread's document, so it is
// not Visible here (nor is a hidden post, or any post of a hidden thread); the
// accepted answer has the status "accepted".
func (p *Post) SearchDoc(t *Thread) *townhall.SearchDoc {
	d := &townhall.SearchDoc{Kind: townhall.KindPost, ID: p.ID, Title: t.Title, Body: p.Source, Category: t.CategorySlug,
		Author: p.AuthorName, AuthorID: p.AuthorID, ParentID: p.ThreadID, URL: p.URL(), Created: p.CreatedAt,
		Visible: !p.Hidden && !t.Hidden && p.Position > 0}
	if t.AcceptedPostID == p.ID {
		d.Status = "accepted"
	}
	return d
}
