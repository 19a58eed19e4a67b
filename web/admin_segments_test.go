package web_test

import (
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestAdminAPISegments(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mel := env.Client(t, "Mel", townhall.RoleMember)

	var seg segmentOut
	admin.JSON("POST", "/api/v1/segments", map[string]any{"name": "  Enterprise ", "weight": 3, "verified": true}, 201, &seg)
	if seg.Name != "Enterprise" || seg.Weight != 3 || !seg.Verified || !townhall.ValidID(seg.ID) {
		t.Fatalf("created %+v", seg)
	}
	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"name": ""}, "Segment name is required"},
		{map[string]any{"name": "Big", "weight": -1}, "Weight must be"},
		{map[string]any{"name": "Big", "weight": "heavy"}, `"weight" must be a number`},
		{map[string]any{"name": strings.Repeat("x", 61)}, "at most 60"},
	} {
		if msg := admin.WantError("POST", "/api/v1/segments", tc.body, 400, townhall.EINVALID); !strings.Contains(msg, tc.want) {
			t.Errorf("POST %v: message %q, want %q", tc.body, msg, tc.want)
		}
	}
	admin.WantError("POST", "/api/v1/segments", map[string]any{"name": "Enterprise"}, 409, townhall.ECONFLICT)
	var list struct{ Items []segmentOut }
	admin.JSON("GET", "/api/v1/segments", nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("after failed creates: %+v, want only Enterprise", list.Items)
	}

	admin.JSON("PUT", "/api/v1/segments/"+seg.ID, map[string]any{"name": "Enterprise plan", "weight": 5, "verified": true}, 200, &seg)
	admin.WantError("PUT", "/api/v1/segments/"+townhall.NewID(), map[string]any{"name": "Ghost"}, 404, townhall.ENOTFOUND)
	admin.WantError("PUT", "/api/v1/segments/garbage", map[string]any{"name": "Ghost"}, 404, townhall.ENOTFOUND)

	var u userOut
	admin.JSON("PUT", "/api/v1/users/"+mel.User.ID+"/segment", map[string]any{"segment_id": seg.ID}, 200, &u)
	var me userOut
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.SegmentID != seg.ID || !me.Verified {
		t.Fatalf("me after assignment = %+v; want in %s and verified through the segment", me, seg.ID)
	}
	admin.WantError("PUT", "/api/v1/users/"+mel.User.ID+"/segment", map[string]any{"segment_id": townhall.NewID()}, 400, townhall.EINVALID)
	admin.WantError("PUT", "/api/v1/users/"+mel.User.ID+"/segment", map[string]any{}, 400, townhall.EINVALID)
	admin.WantError("PUT", "/api/v1/users/"+mel.User.ID+"/verified", map[string]any{}, 400, townhall.EINVALID)
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.SegmentID != seg.ID {
		t.Fatalf("a refused assignment changed the segment to %q", me.SegmentID)
	}

	admin.JSON("DELETE", "/api/v1/segments/"+seg.ID, nil, 204, nil)
	admin.WantError("DELETE", "/api/v1/segments/"+seg.ID, nil, 404, townhall.ENOTFOUND)
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.SegmentID != "" || me.Verified {
		t.Fatalf("after deleting the segment me = %+v; want unsegmented and unverified", me)
	}
	admin.JSON("PUT", "/api/v1/users/"+mel.User.ID+"/verified", map[string]any{"verified": true}, 200, &u)
	if !u.Verified {
		t.Fatalf("verified flag not set: %+v", u)
	}
	mel.WantError("DELETE", "/api/v1/segments/"+seg.ID, nil, 403, townhall.EFORBIDDEN)
	mel.WantError("PUT", "/api/v1/users/"+mel.User.ID+"/verified", map[string]any{"verified": false}, 403, townhall.EFORBIDDEN)
}
