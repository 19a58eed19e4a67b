package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/search"
)

func (s *Server) searchRoutes(r *gin.Engine) {
	r.GET("/search", s.h(s.searchPage))
	api := s.api()
	api.GET("/search", s.h(s.apiSearch))
	api.GET("/search/similar", s.h(s.apiSimilar))
}

// kindLabels name each kind on the search page, in facet order.
var kindLabels = map[string]string{
	townhall.KindThread: "Threads",
	townhall.KindPost:   "Replies",
	townhall.KindIdea:   "Ideas",
	townhall.KindReview: "Reviews",
}

// kindNames name one item of each kind, for result labels.
var kindNames = map[string]string{
	townhall.KindThread: "Thread",
	townhall.KindPost:   "Reply",
	townhall.KindIdea:   "Idea",
	townhall.KindReview: "Review",
}

// searchQuery reads the shared query parameters. A page that is not a
// number is page 1: a hand-edited URL should still find something.
func searchQuery(c *gin.Context) search.Query {
	page, _ := strconv.Atoi(c.Query("page"))
	per, _ := strconv.Atoi(c.Query("per_page"))
	return search.Query{
		Text:     c.Query("q"),
		Kind:     c.Query("kind"),
		Tag:      c.Query("tag"),
		Status:   c.Query("status"),
		Category: c.Query("category"),
		Page:     page,
		PerPage:  per,
	}
}

// searchView is what templates/pages/search.html renders.
type searchView struct {
	Query   search.Query
	Results *search.Results
	Kinds   map[string]string
	Names   map[string]string
	URL     *url.URL
	Filters bool // a kind, tag, status or category narrows the search
	Start   int  // number of the first result on this page
	Pages   []pageLink
	Prev    string
	Next    string
}

// pageLink is one numbered link of the result pager.
type pageLink struct {
	N       int
	URL     string
	Current bool
}

func (s *Server) searchPage(c *gin.Context) error {
	q := searchQuery(c)
	q.Facets = true
	v := s.view(c, "Search")
	v.Nav = "search"
	data := &searchView{Query: q, Kinds: kindLabels, Names: kindNames, URL: c.Request.URL,
		Filters: q.Kind != "" || q.Tag != "" || q.Status != "" || q.Category != ""}
	v.Data = data
	if strings.TrimSpace(q.Text) == "" {
		return s.html(c, http.StatusOK, "search", v)
	}
	v.Title = "Search: " + q.Text
	res, err := s.svc.Search.Search(c.Request.Context(), q)
	if err != nil {
		// A query to fix, or search being down, keeps the search form.
		if code := townhall.ErrorCode(err); code == townhall.EINVALID || code == townhall.EUNAVAILABLE {
			return rerender("search", v, err)
		}
		return err
	}
	data.Results = res
	shareable(c) // results are the same for everyone: search never shows what is hidden, even to staff
	// Writers share results too: search is where members look for others'
	// posts, nearly every active member is a recent writer, and a render of
	// their own would cost a full search each time. Their new post shows in
	// results within the TTL, as it does for everyone (README, Performance).
	sharedWithWriters(c)
	data.Start = (res.Page-1)*res.Query.PerPage + 1
	for p := max(1, res.Page-3); p <= min(res.Pages, res.Page+3); p++ {
		data.Pages = append(data.Pages, pageLink{p, withQuery(c.Request.URL, "page", itoa(p)), p == res.Page})
	}
	if res.Page > 1 {
		data.Prev = withQuery(c.Request.URL, "page", itoa(res.Page-1))
	}
	if res.Page < res.Pages {
		data.Next = withQuery(c.Request.URL, "page", itoa(res.Page+1))
	}
	return s.html(c, http.StatusOK, "search", v)
}

// searchItem is one hit in the JSON API. Snippet is HTML: every character
// of the content is escaped and only <mark> elements are added, so clients
// may insert it as HTML.
type searchItem struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet,omitempty"`
	URL     string `json:"url"`
}

type searchResponse struct {
	Items []searchItem `json:"items"`
	Total int          `json:"total"`
	Page  int          `json:"page"`
	Pages int          `json:"pages"`
}

func (s *Server) apiSearch(c *gin.Context) error {
	res, err := s.svc.Search.Search(c.Request.Context(), searchQuery(c))
	if err != nil {
		return err
	}
	out := searchResponse{Items: make([]searchItem, 0, len(res.Items)), Total: res.Total, Page: res.Page, Pages: res.Pages}
	for _, r := range res.Items {
		out.Items = append(out.Items, searchItem{Kind: r.Kind, ID: r.ID, Title: r.Title, Snippet: string(r.Snippet), URL: r.URL})
	}
	return sendJSON(c, http.StatusOK, out)
}

// similarItem is one suggestion; Status helps people see that an idea is
// already planned or done.
type similarItem struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status,omitempty"`
	URL    string `json:"url"`
}

type similarResponse struct {
	Items []similarItem `json:"items"`
}

// apiSimilar suggests existing content with a similar title while someone
// types a new one (?q=title&kind=idea|thread, default idea).
func (s *Server) apiSimilar(c *gin.Context) error {
	kind := c.DefaultQuery("kind", townhall.KindIdea)
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "5"))
	res, err := s.svc.Search.Similar(c.Request.Context(), kind, c.Query("q"), limit)
	if err != nil {
		return err
	}
	out := similarResponse{Items: make([]similarItem, 0, len(res))}
	for _, r := range res {
		out.Items = append(out.Items, similarItem{Kind: r.Kind, ID: r.ID, Title: r.Title, Status: r.Status, URL: r.URL})
	}
	return sendJSON(c, http.StatusOK, out)
}
