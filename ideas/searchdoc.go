package ideas

import "github.com/townhall/townhall"

// SearchDoc is the idea as the search index sees it. Merged and hidden ideas
// are not Visible, so the indexer drops them; vote counts stay out (they move
// too fast to re-index).
func (i *Idea) SearchDoc() *townhall.SearchDoc {
	tags := i.Tags
	if tags == nil {
		tags = []string{}
	}
	return &townhall.SearchDoc{Kind: townhall.KindIdea, ID: i.ID, Title: i.Title, Body: i.Body, Tags: tags,
		Status: string(i.Status), Author: i.AuthorName, AuthorID: i.AuthorID, URL: i.URL(), Created: i.CreatedAt,
		Visible: !i.Merged() && i.Hidden == nil}
}
