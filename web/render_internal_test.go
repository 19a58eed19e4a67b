package web

import (
	"testing"
	"time"
)

func TestThousandsAndLabel(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 315548: "315,548", 1001607: "1,001,607", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for v, want := range map[string]string{"under_review": "Under review", "in_progress": "In progress", "open": "Open", "": ""} {
		if got := label(v); got != want {
			t.Errorf("label(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestWhen(t *testing.T) {
	at := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	iso := at.UTC().Format(time.RFC3339)
	want := `<time datetime="` + iso + `" title="` + iso + `">3 hours ago</time>`
	if got := string(when(at)); got != want {
		t.Errorf("when = %s, want %s", got, want)
	}
}
