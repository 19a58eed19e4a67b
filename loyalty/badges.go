package loyalty

import (
	"time"
)

// Tier ranks badges: gold is the hardest to earn.
type Tier int

// The tiers.
const (
	Bronze Tier = 1
	Silver Tier = 2
	Gold   Tier = 3
)

func (t Tier) String() string {
	switch t {
	case Bronze:
		return "bronze"
	case Silver:
		return "silver"
	case Gold:
		return "gold"
	}
	return ""
}

// Facts are what badge rules look at: a person's counts, capped where a
// rule needs no more (Accepted at AcceptedCap).
type Facts struct {
	UserID    string
	CreatedAt time.Time
	Posts     int // visible threads and replies, 0 or 1
	Accepted  int // answers accepted in others' questions, up to AcceptedCap
	Helpful   int // helpful votes on the person's reviews
	Shipped   int // the person's ideas that shipped, 0 or 1
}

// AcceptedCap is the most accepted answers any rule counts.
const AcceptedCap = 100

// Badge is one badge: earned by a rule, or granted by admins.
type Badge struct {
	Slug        string
	Name        string
	Description string
	Tier        Tier
	// Granted badges are given (and taken back) by admins, not earned.
	Granted bool
	// rule reports whether the facts earn the badge at now.
	rule func(f Facts, now time.Time) bool
}

// Earned reports whether f earns the badge at now; granted badges never are.
func (b *Badge) Earned(f Facts, now time.Time) bool { return b.rule != nil && b.rule(f, now) }

// The badges' slugs.
const (
	FirstPost       = "first-post"
	HelpfulBadge    = "helpful"
	ProblemSolver   = "problem-solver"
	Guru            = "guru"
	CoCreator       = "co-creator"
	TrustedReviewer = "trusted-reviewer"
	Anniversary     = "anniversary"
	Champion        = "champion"
)

// Badges is every badge, in the order the badges page lists them; the
// order also breaks ties of tier when a profile picks its highest badge
// (a later badge of the same tier wins).
var Badges = []*Badge{
	{Slug: FirstPost, Name: "First Post", Description: "Started a thread or wrote a reply.", Tier: Bronze,
		rule: func(f Facts, _ time.Time) bool { return f.Posts > 0 }},
	{Slug: HelpfulBadge, Name: "Helpful", Description: "Had a first answer accepted.", Tier: Bronze,
		rule: func(f Facts, _ time.Time) bool { return f.Accepted >= 1 }},
	{Slug: Anniversary, Name: "Anniversary", Description: "Has been a member for a year.", Tier: Bronze,
		rule: func(f Facts, now time.Time) bool {
			return !f.CreatedAt.IsZero() && !f.CreatedAt.AddDate(1, 0, 0).After(now)
		}},
	{Slug: ProblemSolver, Name: "Problem Solver", Description: "Had 10 answers accepted.", Tier: Silver,
		rule: func(f Facts, _ time.Time) bool { return f.Accepted >= 10 }},
	{Slug: TrustedReviewer, Name: "Trusted Reviewer", Description: "Reviews found helpful 10 times.", Tier: Silver,
		rule: func(f Facts, _ time.Time) bool { return f.Helpful >= 10 }},
	{Slug: CoCreator, Name: "Co-creator", Description: "Proposed an idea that shipped.", Tier: Silver,
		rule: func(f Facts, _ time.Time) bool { return f.Shipped > 0 }},
	{Slug: Guru, Name: "Guru", Description: "Had 100 answers accepted.", Tier: Gold,
		rule: func(f Facts, _ time.Time) bool { return f.Accepted >= 100 }},
	{Slug: Champion, Name: "Champion", Description: "Recognised by the community team: our VIP mark.", Tier: Gold, Granted: true},
}

var bySlug = func() map[string]*Badge {
	m := map[string]*Badge{}
	for _, b := range Badges {
		m[b.Slug] = b
	}
	return m
}()

// BadgeBySlug returns the badge with the given slug, nil when there is none.
func BadgeBySlug(slug string) *Badge { return bySlug[slug] }

// rank orders badges for highlighting: tier first, then list order.
func rank(slug string) int {
	for i, b := range Badges {
		if b.Slug == slug {
			return int(b.Tier)*100 + i
		}
	}
	return -1
}

// Highest returns the slug of the highest badge among slugs (the one a
// profile highlights unless its owner chose another), "" for none.
func Highest(slugs []string) string {
	best, bestRank := "", -1
	for _, s := range slugs {
		if r := rank(s); r > bestRank {
			best, bestRank = s, r
		}
	}
	return best
}

// Award is one badge held by one person.
type Award struct {
	ID        string // sortable (townhall.NewID at At): holders list newest first
	UserID    string
	Badge     string
	At        time.Time
	GrantedBy string // the admin, for granted badges
}
