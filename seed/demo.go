package seed

import (
	"context"
	"fmt"
	"io"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/settings"
)

// demoPerson is a hand-written community member.
type demoPerson struct {
	key, name string
	role      townhall.Role
	segment   string // "", "Free", "Pro", "Enterprise"
}

var demoPeople = []demoPerson{
	{"admin", "Robin Admin", townhall.RoleAdmin, ""},
	{"pm", "Priya Raman", townhall.RoleProduct, ""},
	{"mod", "Tomás Herrera", townhall.RoleModerator, ""},
	{"maya", "Maya Okafor", townhall.RoleMember, "Enterprise"},
	{"lars", "Lars Nilsson", townhall.RoleMember, "Pro"},
	{"aiko", "Aiko Tanaka", townhall.RoleMember, "Pro"},
	{"sam", "Sam Whitfield", townhall.RoleMember, "Free"},
	{"fatima", "Fatima Zahra", townhall.RoleMember, "Enterprise"},
	{"jonas", "Jonas Becker", townhall.RoleMember, "Free"},
	{"lucia", "Lucía Romero", townhall.RoleMember, "Pro"},
	{"dev", "Dev Malhotra", townhall.RoleMember, "Free"},
}

// demoIdea is a hand-written idea with its story so far.
type demoIdea struct {
	author, title, body string
	tags                []string
	voters              []string
	status              ideas.Status
	reason, response    string
	comments            [][2]string // author, body
	releaseNote         string      // for shipped ideas: what the changelog says
	onBehalf            []ideas.OnBehalf
}

var demoIdeas = []demoIdea{
	{author: "maya", title: "Single sign-on with Okta for the whole team",
		body:   "We onboard 40 people a quarter. Having everyone create a separate login is the main thing our IT team complains about.\n\nSAML or OIDC would both work for us.",
		tags:   []string{"security", "admin"},
		voters: []string{"fatima", "lars", "lucia", "aiko"}, status: ideas.StatusInProgress,
		reason:   "Top request from Enterprise customers",
		response: "We're building OpenID Connect sign-in now (it covers Okta, Entra ID and Keycloak). Expect a beta next month — follow this idea to hear when it ships.",
		comments: [][2]string{{"fatima", "Same here; Entra ID support would make this an easy yes for our security review."}},
		onBehalf: []ideas.OnBehalf{{User: "procurement@northbank.example", Note: "Blocker in Northbank's security review call"}}},
	{author: "sam", title: "Dark mode for the dashboard",
		body:   "I work late and the white dashboard is blinding. Following the system setting would be perfect.",
		tags:   []string{"ui"},
		voters: []string{"jonas", "dev", "aiko", "lucia", "lars", "maya"}, status: ideas.StatusDone,
		response:    "Shipped in 4.2! The dashboard now follows your operating system's light or dark setting. Thanks to everyone who voted.",
		comments:    [][2]string{{"dev", "Looks great, thank you!"}, {"jonas", "Charts are readable in dark mode too. Nice work."}},
		releaseNote: "**Dark mode** arrived in 4.2:\n\n- the dashboard follows your system's light or dark setting\n- charts and tables have dark palettes\n- you can pin a theme under *Settings → Appearance*",
		onBehalf:    []ideas.OnBehalf{{User: "@fatima-zahra", Note: "From a support call: her team works night shifts"}}},
	{author: "lars", title: "Export reports to CSV on a schedule",
		body:   "Every Monday I export the weekly usage report by hand and email it to finance. A scheduled export to email or S3 would save me an hour a week.",
		tags:   []string{"reports", "integrations"},
		voters: []string{"maya", "fatima", "lucia"}, status: ideas.StatusPlanned,
		response: "Planned for next quarter. We'll start with email delivery and add S3 after."},
	{author: "aiko", title: "Keyboard shortcuts for triaging tickets",
		body:   "J/K to move, E to archive, R to reply — like a mail client. Triage would be twice as fast.",
		tags:   []string{"ui", "productivity"},
		voters: []string{"dev", "sam"}, status: ideas.StatusUnderReview,
		reason: "Checking how this fits with screen readers"},
	{author: "jonas", title: "Offline mode for the mobile app",
		body:   "Our field technicians lose signal in basements. Letting them fill in forms offline and sync later would help a lot.",
		tags:   []string{"mobile"},
		voters: []string{"lars"}, status: ideas.StatusOpen,
		comments: [][2]string{{"lucia", "We have the same problem in warehouses."}}},
	{author: "dev", title: "Let me pay with PayPal",
		body: "Credit cards are hard to get approved at our small nonprofit; PayPal would make upgrading to Pro simple.",
		tags: []string{"billing"}, status: ideas.StatusDeclined,
		response: "Thanks for asking. We looked into it, but our payment provider can't support PayPal invoicing for subscriptions. You can pay by bank transfer instead — contact support and we'll set it up."},
	{author: "lucia", title: "Webhooks when a ticket changes status",
		body:   "We'd like to post to our own Slack channels and update our CRM when tickets move. A webhook with the ticket JSON is all we need.",
		tags:   []string{"integrations", "api"},
		voters: []string{"maya", "aiko", "fatima", "jonas", "lars"}, status: ideas.StatusOpen},
	{author: "fatima", title: "Audit log of admin actions",
		body:   "Our compliance team needs to see who changed roles and settings, with timestamps, exportable for audits.",
		tags:   []string{"security", "admin"},
		voters: []string{"maya"}, status: ideas.StatusPlanned,
		response: "Planned. It will include role changes, settings and sign-ins, with a CSV export."},
}

// demoProduct is a hand-written product and its reviews.
type demoProduct struct {
	name, description string
	reviews           []demoReview
}

type demoReview struct {
	author        string
	rating        int
	title, body   string
	response      string
	helpfulVoters []string
}

var demoProducts = []demoProduct{
	{name: "Acme Helpdesk", description: "Shared inbox, ticketing and a knowledge base for support teams of any size.",
		reviews: []demoReview{
			{"maya", 5, "Our support team's home", "We moved 30 agents over in a week. Macros and the shared inbox are excellent; reporting is good enough that we dropped a separate BI tool.", "", []string{"lars", "fatima"}},
			{"lars", 4, "Solid, reports could be better", "Does everything we need day to day. I'd like scheduled exports — I voted for that idea.", "Thanks Lars! Scheduled exports are planned for next quarter.", []string{"maya"}},
			{"sam", 3, "Good, but the free plan is tight", "The free plan's three-agent limit came quickly for us. The product itself is pleasant to use.", "", nil},
			{"lucia", 5, "Fast and friendly", "Search is instant and the mobile app is better than what we had before.", "", []string{"aiko"}},
		}},
	{name: "Acme Status Pages", description: "Public and private status pages with incident updates your customers subscribe to.",
		reviews: []demoReview{
			{"fatima", 4, "Set up in ten minutes", "Custom domain and SSO worked first time. Would love more templates.", "", nil},
			{"dev", 2, "Email notifications were delayed", "During our last incident, subscriber emails arrived 20 minutes late, which defeats the purpose.", "We're sorry about that, Dev. We found a queueing bug on our side and fixed it on the 12th; notifications now go out within a minute. Please reach out if you see it again.", []string{"jonas", "sam"}},
		}},
	{name: "Acme Mobile", description: "The Acme app for iOS and Android: tickets, chat and notifications on the go.",
		reviews: []demoReview{
			{"jonas", 4, "Great for on-call", "Push notifications are reliable and replying from the lock screen is handy. Offline mode would make it perfect.", "", nil},
			{"aiko", 5, "Clean and quick", "The best mobile app of any tool we use.", "", []string{"lucia"}},
		}},
}

// Demo loads the hand-written demo community. Progress goes to w (nil for
// none). Running it twice adds the content twice but reuses the people and
// segments.
func Demo(ctx context.Context, a *app.App, w io.Writer) error {
	s := &seeder{a: a, prog: newProgress(w)}
	return batch(ctx, a, func(ctx context.Context) error { return s.demo(ctx) })
}

func (s *seeder) demo(ctx context.Context) error {
	s.prog.begin("people", len(demoPeople))
	people := map[string]*townhall.User{}
	for _, p := range demoPeople {
		u, err := s.user(ctx, "demo-"+p.key, p.name, p.role)
		if err != nil {
			return fmt.Errorf("user %s: %w", p.name, err)
		}
		people[p.key] = u
		s.prog.step(1)
	}
	admin := people["admin"]
	if admin.Role != townhall.RoleAdmin {
		return fmt.Errorf("the demo needs an empty site: %s was not made admin", admin.Name)
	}
	segs, err := s.segments(ctx, admin)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, sg := range segs {
		byName[sg.Name] = sg.ID
	}
	for _, p := range demoPeople {
		if p.segment != "" {
			if err := s.a.Auth.AssignSegment(ctx, admin, people[p.key].ID, byName[p.segment]); err != nil {
				return err
			}
		}
	}
	// Reload so votes and reviews see segments and verification. Everyone
	// was here today: insights show them among the active members.
	for k, u := range people {
		if people[k], err = s.a.Auth.User(ctx, u.ID); err != nil {
			return err
		}
		if _, err := s.a.Auth.Visit(ctx, people[k]); err != nil {
			return err
		}
	}
	pm := people["pm"]
	if err := s.demoForum(ctx, people); err != nil {
		return err
	}

	s.prog.begin("ideas", len(demoIdeas))
	for _, d := range demoIdeas {
		idea, err := s.a.Ideas.Propose(ctx, people[d.author], ideas.Input{Title: d.title, Body: d.body, Tags: d.tags})
		if err != nil {
			return fmt.Errorf("idea %q: %w", d.title, err)
		}
		for _, v := range d.voters {
			if _, err := s.a.Ideas.Vote(ctx, people[v], idea.ID); err != nil {
				return err
			}
		}
		for _, c := range d.comments {
			if _, err := s.a.Ideas.Comment(ctx, people[c[0]], idea.ID, c[1]); err != nil {
				return err
			}
		}
		if d.status != ideas.StatusOpen || d.response != "" {
			if _, err := s.a.Ideas.ChangeStatus(ctx, pm, idea.ID, ideas.StatusUpdate{Status: string(d.status), Reason: d.reason, Response: d.response}); err != nil {
				return fmt.Errorf("status of %q: %w", d.title, err)
			}
		}
		for _, ob := range d.onBehalf {
			if _, err := s.a.Ideas.VoteOnBehalf(ctx, pm, idea.ID, ob); err != nil {
				return fmt.Errorf("vote on behalf of %s: %w", ob.User, err)
			}
		}
		if d.releaseNote != "" {
			if _, err := s.a.Ideas.SetReleaseNote(ctx, pm, idea.ID, d.releaseNote); err != nil {
				return fmt.Errorf("release note of %q: %w", d.title, err)
			}
		}
		s.prog.step(1)
	}

	s.prog.begin("products", len(demoProducts))
	for _, d := range demoProducts {
		p, err := s.a.Reviews.CreateProduct(ctx, pm, reviews.ProductInput{Name: &d.name, Description: &d.description})
		if err != nil {
			return fmt.Errorf("product %q: %w", d.name, err)
		}
		for _, r := range d.reviews {
			rev, err := s.a.Reviews.CreateReview(ctx, people[r.author], p.ID, reviews.ReviewInput{Rating: &r.rating, Title: &r.title, Body: &r.body})
			if err != nil {
				return fmt.Errorf("review of %q: %w", d.name, err)
			}
			if r.response != "" {
				if _, err := s.a.Reviews.Respond(ctx, pm, rev.ID, r.response); err != nil {
					return err
				}
			}
			for _, h := range r.helpfulVoters {
				if _, err := s.a.Reviews.MarkHelpful(ctx, people[h], rev.ID); err != nil {
					return err
				}
			}
		}
		s.prog.step(1)
	}
	// The community team's VIP: Lars answers more than anyone. A bio
	// shows what profiles hold.
	if _, err := s.a.Loyalty.Grant(ctx, admin, people["lars"].ID, loyalty.Champion, true); err != nil {
		return err
	}
	bio := "Support lead at a logistics company. I answer **export** and *reporting* questions."
	if _, err := s.a.Loyalty.UpdateProfile(ctx, people["lars"], loyalty.ProfileInput{Bio: &bio}); err != nil {
		return err
	}
	if err := s.demoModeration(ctx, people); err != nil {
		return err
	}
	s.prog.finish()
	return nil
}

// demoModeration fills the review queue: a spam comment two members
// flagged, and a newcomer's idea held for approval (the hold is switched
// on for that one idea and off again, the default).
func (s *seeder) demoModeration(ctx context.Context, people map[string]*townhall.User) error {
	admin := people["admin"]
	spammer, err := s.user(ctx, "demo-deals", "Quick Deals", townhall.RoleMember)
	if err != nil {
		return err
	}
	board, err := s.a.Ideas.List(ctx, nil, ideas.ListParams{Sort: ideas.SortNew})
	if err != nil || len(board.Items) == 0 {
		return fmt.Errorf("demo moderation needs an idea: %v", err)
	}
	spam, err := s.a.Ideas.Comment(ctx, spammer, board.Items[0].ID, "Licences at 90% off, today only! Visit deals.example.com")
	if err != nil {
		return err
	}
	for _, who := range []string{"maya", "sam"} {
		if _, err := s.a.Moderation.Flag(ctx, people[who], moderation.FlagInput{Kind: moderation.KindComment, ID: spam.ID, Reason: moderation.ReasonSpam}); err != nil {
			return fmt.Errorf("demo flag: %w", err)
		}
	}
	hold := func(n int) error {
		_, _, err := s.a.Settings.Update(ctx, admin, func(site *settings.Site) error { site.HoldNewMemberPosts = n; return nil })
		return err
	}
	if err := hold(1); err != nil {
		return err
	}
	if _, err := s.a.Ideas.Propose(ctx, spammer, ideas.Input{Title: "Free trial codes for everyone",
		Body: "Post your codes here and share them with friends."}); err != nil {
		return err
	}
	if err := hold(0); err != nil {
		return err
	}
	for _, u := range people {
		if _, err := s.a.Moderation.RefreshTrust(ctx, u.ID); err != nil {
			return err
		}
	}
	return nil
}
