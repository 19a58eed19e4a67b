package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

func init() { register("audit", testAudit) }

// testAudit: entries come back newest first, exactly as written, filtered
// by actor, action, target and time, and paged by cursor.
func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[audit.Store](t, open(t))
	var written []*audit.Entry
	for i, e := range []audit.Entry{
		{ActorID: "mod", ActorName: "Mo", ActorRole: townhall.RoleModerator, Action: "post.hide", TargetKind: "post", TargetID: "p1", Target: "Spam", Before: `{"hidden":false}`, After: `{"hidden":true}`, Reason: "spam"},
		{ActorID: "pm", ActorName: "Pat", ActorRole: townhall.RoleProduct, Action: "idea.status", TargetKind: "idea", TargetID: "i1", Target: "Dark mode", Before: `"open"`, After: `"planned"`},
		{ActorID: "mod", ActorName: "Mo", ActorRole: townhall.RoleModerator, Action: "post.unhide", TargetKind: "post", TargetID: "p1", Target: "Spam"},
		{ActorID: "admin", ActorName: "Ada", ActorRole: townhall.RoleAdmin, Action: "user.role", TargetKind: "user", TargetID: "u1", Target: "@bob", Before: `"member"`, After: `"moderator"`},
	} {
		e.ID = townhall.NewID()
		e.At = Now().Add(time.Duration(i) * time.Hour)
		if err := s.AppendAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		written = append([]*audit.Entry{&e}, written...) // newest first
	}
	ids := func(es []*audit.Entry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Action)
		}
		return fmt.Sprint(out)
	}
	all, err := s.AuditEntries(ctx, audit.Query{Limit: 10})
	if err != nil || len(all) != 4 {
		t.Fatalf("all = %d, %v", len(all), err)
	}
	for i := range all {
		if *all[i] != *written[i] {
			t.Fatalf("entry %d = %+v, want %+v", i, *all[i], *written[i])
		}
	}
	cases := []struct {
		name string
		q    audit.Query
		want string
	}{
		{"by actor", audit.Query{ActorID: "mod"}, "[post.unhide post.hide]"},
		{"by action", audit.Query{Action: "idea.status"}, "[idea.status]"},
		{"by target", audit.Query{TargetKind: "post", TargetID: "p1"}, "[post.unhide post.hide]"},
		{"by kind", audit.Query{TargetKind: "user"}, "[user.role]"},
		{"from", audit.Query{From: Now().Add(2 * time.Hour)}, "[user.role post.unhide]"},
		{"to", audit.Query{To: Now().Add(time.Hour)}, "[post.hide]"},
		{"page after", audit.Query{Before: all[1].ID}, "[idea.status post.hide]"},
		{"limit", audit.Query{Limit: 1}, "[user.role]"},
	}
	for _, c := range cases {
		if c.q.Limit == 0 {
			c.q.Limit = 10
		}
		got, err := s.AuditEntries(ctx, c.q)
		if err != nil || ids(got) != c.want {
			t.Errorf("%s: %s, %v; want %s", c.name, ids(got), err, c.want)
		}
	}
}
