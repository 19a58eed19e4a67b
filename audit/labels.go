package audit

import (
	"sort"
	"strings"
)

// labels say in words what each known action did, for the staff log page
// and its CSV export. An action missing here still reads sensibly (see
// Label), so a feature that records a new action need not add it; adding
// it gives the page a better sentence and the filter an entry.
var labels = map[string]string{
	"thread.hide":     "Hid a thread",
	"thread.unhide":   "Unhid a thread",
	"thread.lock":     "Locked a thread",
	"thread.unlock":   "Unlocked a thread",
	"thread.pin":      "Pinned a thread",
	"thread.unpin":    "Unpinned a thread",
	"thread.move":     "Moved a thread",
	"thread.accept":   "Accepted an answer for the asker",
	"thread.unaccept": "Withdrew an accepted answer",
	"post.hide":       "Hid a post",
	"post.unhide":     "Unhid a post",
	"post.edit":       "Edited someone's post",
	"post.delete":     "Deleted a post",
	"category.create": "Created a category",
	"category.update": "Changed a category",

	"idea.hide":      "Hid an idea",
	"idea.unhide":    "Unhid an idea",
	"idea.edit":      "Edited someone's idea",
	"idea.status":    "Changed an idea's status",
	"idea.respond":   "Answered an idea officially",
	"idea.merge":     "Merged a duplicate idea",
	"comment.hide":   "Hid a comment",
	"comment.unhide": "Unhid a comment",
	"comment.edit":   "Edited someone's comment",
	"comment.delete": "Deleted someone's comment",

	"product.create":         "Added a product",
	"product.update":         "Changed a product",
	"product.archive":        "Archived a product",
	"product.unarchive":      "Brought back an archived product",
	"review.delete":          "Removed a review",
	"review.hide":            "Hid a review",
	"review.unhide":          "Unhid a review",
	"review.respond":         "Responded to a review",
	"review.response_remove": "Removed a business response",

	"user.trust_level": "Set a person's trust level",
	"user.role":        "Changed a role",
	"user.verified":    "Changed verified-customer status",
	"user.segment":     "Moved a person to another segment",
	"user.delete":      "Deleted an account",
	"user.export":      "Downloaded a person's data",
	"user.suspend":     "Suspended a person",
	"user.unsuspend":   "Lifted a suspension",
	"user.silence":     "Silenced a person",
	"user.unsilence":   "Lifted a silence",
	"segment.create":   "Created a segment",
	"segment.update":   "Changed a segment",
	"segment.delete":   "Deleted a segment",
	"settings.update":  "Changed the site settings",
	"flag.resolve":     "Resolved flags",
	"email.retry":      "Sent a failed email again",
}

// Label is the words for an action: the known sentence, or one made from
// the name itself ("token.create_site" reads "Token: create site"), so an
// action nobody labelled still reads sensibly.
func Label(action string) string {
	if l, ok := labels[action]; ok {
		return l
	}
	kind, verb, ok := strings.Cut(action, ".")
	if !ok || kind == "" || verb == "" {
		return action
	}
	kind = strings.ReplaceAll(kind, "_", " ")
	return strings.ToUpper(kind[:1]) + kind[1:] + ": " + strings.ReplaceAll(verb, "_", " ")
}

// Known lists the labelled actions in name order, for the page's filter.
func Known() []string {
	out := make([]string, 0, len(labels))
	for a := range labels {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// TargetKinds lists the kinds of target the labelled actions name, in
// name order, for the page's filter.
func TargetKinds() []string {
	seen := map[string]bool{}
	var out []string
	for a := range labels {
		k, _, _ := strings.Cut(a, ".")
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
