package seed

import "github.com/townhall/townhall/ideas"

// Word lists for generated content: varied enough that search and
// "similar ideas" have realistic term distributions.
var (
	firstNames = []string{"Ava", "Ben", "Chloé", "Diego", "Elif", "Farah", "Goran", "Hana", "Idris", "Jade", "Kofi", "Lena",
		"Mateo", "Nadia", "Omar", "Paula", "Quinn", "Rahul", "Sofia", "Theo", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zane",
		"Amara", "Bruno", "Carmen", "Dmitri", "Esme", "Felix", "Grace", "Hiro", "Ines", "Jonah", "Keiko", "Liam", "Mira", "Nils"}
	lastNames = []string{"Adeyemi", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ivanova", "Jensen",
		"Kowalski", "Lindqvist", "Moreau", "Nakamura", "O'Brien", "Petrov", "Quintero", "Rossi", "Schmidt", "Takahashi",
		"Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Alvarez", "Brennan", "Chen", "Das", "Evans", "Ferreira",
		"Gupta", "Horvat", "Ito", "Jovanović", "Kim", "López", "Murphy", "Novak", "Okoro", "Park", "Reyes", "Silva",
		"Tanaka", "Underwood", "Vos", "Weber", "Young", "Zimmerman", "Ali", "Berg", "Costa", "Diaz", "Engel", "Fox",
		"Green", "Hall", "Ibrahim", "Joshi", "Klein", "Lee", "Mensah", "Nguyen", "Olsen", "Patel", "Russo", "Sato", "Tran", "Wright"}
	verbs      = []string{"export", "import", "sync", "schedule", "filter", "share", "archive", "search", "tag", "merge", "bulk edit", "preview", "pin", "sort", "duplicate", "restore"}
	objects    = []string{"reports", "invoices", "tickets", "dashboards", "contacts", "projects", "comments", "attachments", "calendars", "tasks", "notes", "users", "teams", "templates", "webhooks", "audit logs"}
	qualifiers = []string{"faster", "in bulk", "by date", "with one click", "automatically", "offline", "as CSV", "as PDF", "per team", "across workspaces", "from mobile", "without reloading"}
	places     = []string{"on the dashboard", "in the API", "from Slack", "in the mobile app", "for admins", "in dark mode", "on Android", "on iOS", "in the browser extension", "for guests"}
	sentences  = []string{
		"Right now we do this by hand every week and it takes far too long.",
		"Our team of twelve runs into this several times a day.",
		"It would save us from copying data between three different tools.",
		"The current workaround is a spreadsheet that nobody keeps up to date.",
		"Competitors already offer this, and our finance team keeps asking for it.",
		"This matters most at month end, when everyone needs the numbers at once.",
		"Login is slow on the mobile app when the connection is poor.",
		"Billing questions come up constantly from our customers.",
		"An API endpoint for this would let us build the rest ourselves.",
		"Dark mode support would make late shifts much easier on the eyes.",
		"We tried the export but the invoice totals did not match the report.",
		"Search should find attachments by their contents, not only by name.",
		"Please make sure it works with single sign-on accounts as well.",
		"Notifications for this would be great, but email only is fine to start.",
		"I love the product overall; this is the one thing holding us back.",
		"Our auditors need a history of who changed what and when.",
		"Sync with our calendar broke after the last update.",
		"It would be nice if admins could turn this on per team.",
		"Performance is fine for small projects but slow for our largest one.",
		"Thanks for listening — the last few releases have been excellent.",
	}
	tagWords          = []string{"reports", "api", "mobile", "billing", "ui", "integrations", "security", "admin", "performance", "search", "notifications", "export"}
	productAdjectives = []string{"Acme", "Nimbus", "Bright", "Swift", "Harbor", "Summit", "Cobalt", "Juniper", "Orbit", "Meadow"}
	productNouns      = []string{"Helpdesk", "Analytics", "Mobile", "Status Pages", "CRM", "Forms", "Chat", "Scheduler", "Invoicing", "Backup"}
	reviewResponses   = []string{
		"Thank you for the detailed feedback. We've passed it to the team and will follow up here.",
		"Sorry about the trouble. This was fixed in the latest release — please let us know if you still see it.",
		"Thanks for being a customer! We're glad it's working well for your team.",
		"We hear you. This is on our roadmap; vote for it on the idea board to get updates.",
	}
	responses = map[ideas.Status][]string{
		ideas.StatusUnderReview: {"Thanks — we're looking at how many teams need this.", "We're reviewing this with our design team this month."},
		ideas.StatusPlanned:     {"Planned for next quarter.", "This is on the roadmap; we'll post updates here."},
		ideas.StatusInProgress:  {"We're building this now. A beta is coming soon.", "In progress — early access opens to Pro customers first."},
		ideas.StatusDone:        {"Shipped! Thanks to everyone who voted.", "Available now in the latest release."},
		ideas.StatusDeclined:    {"We've decided not to build this; the existing export covers most cases.", "Not something we'll do, sorry — it conflicts with how permissions work."},
	}
)
