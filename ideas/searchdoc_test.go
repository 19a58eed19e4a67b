package ideas_test

import (
	"fmt"
	"testing"

	"github.com/townhall/townhall/ideas"
)

func TestIdeaSearchDocHidesMergedAndHiddenIdeas(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(i *ideas.Idea)
		visible bool
	}{
		{"open", func(*ideas.Idea) {}, true},
		{"merged", func(i *ideas.Idea) { i.MergedInto = "other" }, false},
		{"hidden", func(i *ideas.Idea) { i.Hidden = &ideas.Hidden{Reason: "spam"} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := &ideas.Idea{ID: "i1", Title: "Dark mode", Body: "Please", Status: ideas.StatusPlanned, AuthorID: "u1", AuthorName: "Ann"}
			tc.edit(i)
			d := i.SearchDoc()
			if d.Visible != tc.visible || d.URL != "/ideas/i1" || d.Status != "planned" || d.Author != "Ann" ||
				d.Tags == nil || fmt.Sprint(d.Tags) != "[]" {
				t.Fatalf("doc = %+v", d)
			}
		})
	}
}
