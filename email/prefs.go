package email

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// Delivery is how a person wants one kind of notification to reach them
// by email.
type Delivery string

// The deliveries.
const (
	Instant Delivery = "instant" // an email of its own, after --mail-delay
	Digest  Delivery = "digest"  // a line in the daily or weekly digest
	Off     Delivery = "off"     // no email (the notification still shows on the site)
)

// Valid reports whether d is one of the deliveries.
func (d Delivery) Valid() bool { return d == Instant || d == Digest || d == Off }

// Frequency is how often a person's digest comes.
type Frequency string

// The digest frequencies.
const (
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
	Never  Frequency = "off"
)

// Valid reports whether f is one of the frequencies.
func (f Frequency) Valid() bool { return f == Daily || f == Weekly || f == Never }

// Kind is one kind of email people choose a delivery for. It covers one or
// more notification kinds: a reply in a thread you started and one in a
// thread you only follow are different kinds ("reply", "followed").
type Kind struct {
	Name          string   // the key in preferences and the API
	Label         string   // the settings page's words
	Default       Delivery // for everyone who did not choose
	Notifications []string // the notification kinds it covers
}

// Kinds lists every kind of email in the order the settings page shows
// them. A notification kind no Kind names is "other". Features that add a
// notification kind add it to a Kind here.
var Kinds = []Kind{
	{"reply", "Replies in threads you started", Instant, []string{"reply"}},
	{"mention", "Mentions of you (@handle)", Instant, []string{"mention"}},
	{"answer", "Your reply accepted as the answer", Instant, []string{"answer"}},
	{"status", "Status changes and official responses on ideas you proposed or voted for, and their merges", Instant, []string{"status", "merge"}},
	{"comment", "Comments on ideas you proposed", Instant, []string{"comment"}},
	{"review_response", "Responses to your product reviews", Instant, []string{"review_response"}},
	{"moderation", "Moderators' decisions about your posts and flags", Instant, []string{"approved", "flag_handled"}},
	{"followed", "Activity in threads and ideas you follow", Digest, []string{"followed_reply", "followed_comment", "followed_status"}},
	{"like", "Likes of your posts", Digest, []string{"like"}},
	{"badge", "Badges you earn", Digest, []string{"badge"}},
	{"other", "Everything else", Digest, nil},
}

// DigestKind is the name unsubscribe links use for the digest itself.
const DigestKind = "digest"

var kindOf = func() map[string]string {
	m := map[string]string{}
	for _, k := range Kinds {
		for _, n := range k.Notifications {
			m[n] = k.Name
		}
	}
	return m
}()

// KindOf is the email kind of a notification kind.
func KindOf(notificationKind string) string {
	if k, ok := kindOf[notificationKind]; ok {
		return k
	}
	return "other"
}

// LookupKind returns the Kind with the given name.
func LookupKind(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindNames lists the names of every Kind.
func KindNames() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = k.Name
	}
	return out
}

// Preferences are one person's choices about email.
type Preferences struct {
	// NoEmail stops every email, whatever the kinds say.
	NoEmail bool
	// Digest is how often the digest comes (Weekly unless chosen).
	Digest Frequency
	// Kinds holds a delivery for every Kind, by name.
	Kinds     map[string]Delivery
	UpdatedAt time.Time
}

// DefaultPreferences are the preferences of everyone who did not choose:
// instant email for what concerns them directly, the rest in a weekly
// digest.
func DefaultPreferences() *Preferences {
	p := &Preferences{Digest: Weekly, Kinds: map[string]Delivery{}}
	for _, k := range Kinds {
		p.Kinds[k.Name] = k.Default
	}
	return p
}

// Normalize fills what stored preferences lack (a kind added since they
// were saved gets its default) and drops what is no longer known.
func (p *Preferences) Normalize() *Preferences {
	d := DefaultPreferences()
	if p == nil {
		return d
	}
	if p.Digest.Valid() {
		d.Digest = p.Digest
	}
	for name, v := range p.Kinds {
		if _, ok := d.Kinds[name]; ok && v.Valid() {
			d.Kinds[name] = v
		}
	}
	d.NoEmail, d.UpdatedAt = p.NoEmail, p.UpdatedAt
	return d
}

// For is how a notification of the given kind reaches this person.
func (p *Preferences) For(notificationKind string) Delivery {
	if p.NoEmail {
		return Off
	}
	if d, ok := p.Kinds[KindOf(notificationKind)]; ok {
		return d
	}
	return Digest
}

// Clone returns a deep copy.
func (p *Preferences) Clone() *Preferences {
	c := *p
	c.Kinds = maps.Clone(p.Kinds)
	return &c
}

// Change is what a person sends to change their preferences; nil fields
// and kinds left out keep their current values.
type Change struct {
	NoEmail *bool
	Digest  *string
	Kinds   map[string]string
}

// Apply returns p with the change made, or an EINVALID error naming the
// field at fault; p itself is not modified.
func (p *Preferences) Apply(c Change) (*Preferences, error) {
	out := p.Clone()
	if c.NoEmail != nil {
		out.NoEmail = *c.NoEmail
	}
	if c.Digest != nil {
		f := Frequency(strings.TrimSpace(*c.Digest))
		if !f.Valid() {
			return nil, townhall.Errorf(townhall.EINVALID, "digest must be daily, weekly or off (got %q).", clip(*c.Digest, 40))
		}
		out.Digest = f
	}
	for _, name := range slices.Sorted(maps.Keys(c.Kinds)) {
		if _, ok := LookupKind(name); !ok {
			return nil, townhall.Errorf(townhall.EINVALID, "kinds.%s is not a kind of email; the kinds are %s.", clip(name, 40), strings.Join(KindNames(), ", "))
		}
		d := Delivery(strings.TrimSpace(c.Kinds[name]))
		if !d.Valid() {
			return nil, townhall.Errorf(townhall.EINVALID, "kinds.%s must be instant, digest or off (got %q).", name, clip(c.Kinds[name], 40))
		}
		out.Kinds[name] = d
	}
	return out, nil
}
