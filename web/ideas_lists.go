package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// The idea board's listings: the board with its filters, my ideas, ideas
// I voted for, the roadmap and the product team's triage queue.

type boardData struct {
	ideasSection
	Page     townhall.Page[*ideas.Idea]
	Sort     string
	Status   string
	Tag      string
	Sorts    []string
	Statuses []ideas.Status
	Tags     []ideas.TagCount
	URL      *url.URL
	holes    holeMarks // the renderer's, for the cards' vote holes
}

func (s *Server) ideaBoard(c *gin.Context) error {
	ctx := c.Request.Context()
	p := ideas.ListParams{Sort: c.Query("sort"), Status: c.Query("status"), Tag: c.Query("tag"), After: c.Query("after"), Cards: true}
	viewer := currentUser(c)
	if sharedRender(c) {
		viewer = nil // votes are holes: no need to read the renderer's
	}
	page, err := s.svc.Ideas.List(ctx, viewer, p)
	if err != nil {
		return err
	}
	tags, err := s.svc.Ideas.PopularTags(ctx, 15)
	if err != nil {
		return err
	}
	if p.Sort == "" {
		p.Sort = ideas.SortTrending
	}
	st, _ := ideas.ParseStatus(p.Status)
	v := s.view(c, "Ideas")
	v.Nav = "ideas"
	v.Feed = ideasFeed
	v.Data = &boardData{
		ideasSection: ideasSection{"board"}, Page: page, Sort: p.Sort, Status: string(st), Tag: strings.ToLower(p.Tag),
		Sorts: ideas.Sorts, Statuses: ideas.Statuses, Tags: tags, URL: c.Request.URL, holes: s.pages.holes,
	}
	shareable(c) // the board lists what every member sees; their votes are holes
	return s.html(c, http.StatusOK, "ideas_board", v)
}

// ideaCard is an idea on a list page. On a page members share (Shared) its
// vote button is a hole with both states (overlay.go).
type ideaCard struct {
	Idea   *ideas.Idea // named, not embedded: see postItem
	Shared bool
	holes  holeMarks // the renderer's (card in render.go)
}

// card is the template's card: one that can write its vote holes.
func (r *renderer) card(i *ideas.Idea, shared bool) ideaCard {
	return ideaCard{Idea: i, Shared: shared, holes: r.holes}
}

// ideaList names one of the plain idea lists: its tab, heading, and what
// it says when empty.
type ideaList struct {
	Section, Heading, Empty string
}

var (
	myIdeas     = ideaList{"mine", "My ideas", "You haven't proposed an idea yet."}
	votedIdeas  = ideaList{"voted", "Ideas I voted for", "You haven't voted for an idea yet. Votes tell the product team what matters most."}
	hiddenIdeas = ideaList{"hidden", "Hidden ideas", "No hidden ideas. Moderators hide spam and mistakes from the idea's page."}
)

type ideaListData struct {
	ideaList
	Page townhall.Page[*ideas.Idea]
	URL  *url.URL
}

// ideaListPage serves a list of ideas that list returns for the reader,
// one page at a time (my ideas, ideas I voted for, hidden ideas).
func (s *Server) ideaListPage(list func(ctx context.Context, actor *townhall.User, after string) (townhall.Page[*ideas.Idea], error), l ideaList) handler {
	return func(c *gin.Context) error {
		page, err := list(c.Request.Context(), currentUser(c), c.Query("after"))
		if err != nil {
			return err
		}
		v := s.view(c, l.Heading)
		v.Nav = "ideas"
		v.Data = &ideaListData{l, page, c.Request.URL}
		return s.html(c, http.StatusOK, "ideas_list", v)
	}
}

type roadmapColumn struct {
	Status ideas.Status
	Ideas  []*ideas.Idea
}

func (s *Server) roadmapPage(c *gin.Context) error {
	cols, err := s.svc.Ideas.Roadmap(c.Request.Context(), currentUser(c), 30)
	if err != nil {
		return err
	}
	var data struct {
		ideasSection
		Columns []roadmapColumn
	}
	data.Section = "roadmap"
	for _, st := range ideas.RoadmapStatuses {
		data.Columns = append(data.Columns, roadmapColumn{st, cols[st]})
	}
	v := s.view(c, "Roadmap")
	v.Nav = "ideas"
	v.Feed = changelogFeed
	v.Data = &data
	return s.html(c, http.StatusOK, "ideas_roadmap", v)
}

type triageData struct {
	ideasSection
	Page  townhall.Page[*ideas.Idea]
	Sort  string
	Sorts []string
	URL   *url.URL
}

func (s *Server) triagePage(c *gin.Context) error {
	sort := c.Query("sort")
	page, err := s.svc.Ideas.Triage(c.Request.Context(), currentUser(c), sort, c.Query("after"))
	if err != nil {
		return err
	}
	if sort == "" {
		sort = ideas.TriageOldest
	}
	v := s.view(c, "Triage")
	v.Nav = "ideas"
	v.Data = &triageData{ideasSection{"triage"}, page, sort, ideas.TriageSorts, c.Request.URL}
	return s.html(c, http.StatusOK, "ideas_triage", v)
}
