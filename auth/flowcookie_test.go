package auth

import (
	"strings"
	"testing"
	"time"
)

func TestFlowCookieSealing(t *testing.T) {
	secret := []byte(strings.Repeat("k", 32))
	s, err := newSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	f := &flow{Provider: "oidc", State: "st", Session: `{"verifier":"v"}`, Next: "/ideas", Expires: now.Add(FlowTTL).Unix()}
	value, err := s.seal(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(value, "verifier") || strings.Contains(value, "ideas") {
		t.Fatal("the cookie value is readable; it must be encrypted")
	}
	got, err := s.open(value, now)
	if err != nil || *got != *f {
		t.Fatalf("open = %+v, %v; want %+v", got, err, f)
	}

	other, _ := newSealer([]byte(strings.Repeat("o", 32)))
	flipped := []byte(value)
	flipped[len(flipped)/2] ^= 1
	for name, tc := range map[string]struct {
		s     *sealer
		value string
		now   time.Time
	}{
		"tampered":     {s, string(flipped), now},
		"other secret": {other, value, now},
		"expired":      {s, value, now.Add(FlowTTL + time.Second)},
		"garbage":      {s, "not base64!", now},
		"too short":    {s, "AAAA", now},
	} {
		if _, err := tc.s.open(tc.value, tc.now); err == nil {
			t.Errorf("%s: the cookie was accepted", name)
		}
	}
	if _, err := newSealer([]byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}
