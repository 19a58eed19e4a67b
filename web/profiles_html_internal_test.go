package web

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// TestProfileHTMLMatchesTemplate renders a profile's activity tabs with
// loyalty_profile.html as it was before ActivityHTML wrote them
// (testdata/loyalty_profile_before.html) and as it is, and requires the
// same bytes.
func TestProfileHTMLMatchesTemplate(t *testing.T) {
	_, ref, now := pageBefore(t, "loyalty_profile")
	at := time.Now().Add(-3 * time.Hour)
	items := map[string][]*loyalty.Activity{
		loyalty.TabThreads: {{Kind: loyalty.TabThreads, ID: "t1", Title: `How "to" <export> & 'more'+`, Excerpt: "First <b> & x", Count: 1, At: at},
			{Kind: loyalty.TabThreads, ID: "t2", Title: "Two", Count: 12, At: at}},
		loyalty.TabReplies: {{Kind: loyalty.TabReplies, ID: "p1", ParentID: "t1", Position: 3, Title: "Re <x>", Excerpt: "yes", Count: 2, At: at}},
		loyalty.TabAnswers: {{Kind: loyalty.TabAnswers, ID: "p2", ParentID: "t9", Position: 21, Title: "Answer", Count: 1, At: at}},
		loyalty.TabIdeas: {{Kind: loyalty.TabIdeas, ID: "i1", Title: "Dark mode", Count: 1, Status: ideas.StatusPlanned, At: at},
			{Kind: loyalty.TabIdeas, ID: "i2", Title: "Sync", Count: 1300, Status: ideas.StatusOpen, Excerpt: "more & more", At: at}},
		loyalty.TabReviews: {{Kind: loyalty.TabReviews, ID: "r1", Slug: "road-bike", Title: "Road <bike>", Count: 4, At: at}},
	}
	var n int
	for tab, list := range items {
		for _, empty := range []bool{false, true} {
			for _, next := range []string{"", "c<u>r&s'o\"r"} {
				d := &profileData{ProfileView: &loyalty.ProfileView{User: &townhall.User{ID: "u1", Name: "Ann", Handle: "ann", CreatedAt: at}},
					Tab: tab, Tabs: profileTabs}
				if !empty {
					d.Activity.Items = list
				}
				d.Activity.Next = next
				d.URL, _ = url.Parse("/u/ann?tab=" + tab + "&x=%3Cy%3E")
				v := &view{Site: "Townhall", Title: "Ann", Data: d, Nav: "people"}
				n++
				sameContent(t, fmt.Sprintf("tab %s empty %v next %q", tab, empty, next), ref, now, v)
			}
		}
	}
	if n != 20 {
		t.Fatalf("%d cases compared", n)
	}
}
