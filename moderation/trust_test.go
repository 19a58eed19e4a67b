package moderation_test

import (
	"strings"
	"testing"

	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/settings"
)

func TestEarnedNeedsEveryPartOfALevel(t *testing.T) {
	levels := settings.Defaults().TrustLevels // basic 2 days 1 post; member 10/10; regular 30/30 and 2 answers
	for _, tc := range []struct {
		name string
		st   moderation.Stats
		want int
	}{
		{"nothing yet", moderation.Stats{}, 0},
		{"visits without posts", moderation.Stats{DaysVisited: 40}, 0},
		{"basic", moderation.Stats{DaysVisited: 2, Posts: 1}, 1},
		{"member", moderation.Stats{DaysVisited: 10, Posts: 10}, 2},
		{"many posts, few days", moderation.Stats{DaysVisited: 9, Posts: 500}, 1},
		{"regular but for answers", moderation.Stats{DaysVisited: 30, Posts: 30, AcceptedAnswers: 1}, 2},
		{"regular", moderation.Stats{DaysVisited: 30, Posts: 30, AcceptedAnswers: 2}, 3},
	} {
		if got := moderation.Earned(levels, tc.st); got != tc.want {
			t.Errorf("%s: level %d, want %d", tc.name, got, tc.want)
		}
	}
	// A level is reached only through the ones below it.
	levels.Basic.Reputation = 5
	if got := moderation.Earned(levels, moderation.Stats{DaysVisited: 30, Posts: 30, AcceptedAnswers: 2}); got != 0 {
		t.Errorf("without basic's reputation: level %d, want 0", got)
	}
}

func TestSettingsValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		change func(*settings.Site)
		field  string
	}{
		{func(s *settings.Site) { s.FlagThreshold = 0 }, "flag_threshold"},
		{func(s *settings.Site) { s.FlagThreshold = settings.MaxFlagThreshold + 1 }, "flag_threshold"},
		{func(s *settings.Site) { s.HoldNewMemberPosts = -1 }, "hold_new_member_posts"},
		{func(s *settings.Site) { s.TrustLevels.Regular.DaysVisited = 5 }, "trust_levels.regular.days_visited"},
		{func(s *settings.Site) { s.TrustLevels.Member.Reputation = 200000 }, "trust_levels.member.reputation"},
	} {
		s := settings.Defaults()
		tc.change(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	d := settings.Defaults()
	if err := d.Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
}
