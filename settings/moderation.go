package settings

import "github.com/townhall/townhall"

// TrustLevels are the requirements of trust levels 1 (basic), 2 (member)
// and 3 (regular); level 0 (new) requires nothing.
type TrustLevels struct {
	Basic   TrustRequirement `json:"basic"`
	Member  TrustRequirement `json:"member"`
	Regular TrustRequirement `json:"regular"`
}

// TrustRequirement is what a person needs, all of it, to reach a level.
type TrustRequirement struct {
	DaysVisited     int `json:"days_visited"`
	Posts           int `json:"posts"`
	AcceptedAnswers int `json:"accepted_answers"`
	// Reputation is the person's points (accepted answers, likes and
	// helpful votes received, shipped ideas; see README "Loyalty").
	Reputation int `json:"reputation"`
}

// Level returns the requirement of level 1, 2 or 3.
func (t TrustLevels) Level(n int) TrustRequirement {
	switch n {
	case townhall.TrustBasic:
		return t.Basic
	case townhall.TrustMember:
		return t.Member
	}
	return t.Regular
}

// Limits of the trust and safety settings.
const (
	MaxFlagThreshold = 50
	MaxHoldPosts     = 20
	maxRequirement   = 100000
)

func (s *Site) validateModeration() error {
	if s.FlagThreshold < 1 || s.FlagThreshold > MaxFlagThreshold {
		return townhall.Errorf(townhall.EINVALID, "flag_threshold must be a whole number from 1 to %d.", MaxFlagThreshold)
	}
	if s.HoldNewMemberPosts < 0 || s.HoldNewMemberPosts > MaxHoldPosts {
		return townhall.Errorf(townhall.EINVALID, "hold_new_member_posts must be a whole number from 0 (hold nothing) to %d.", MaxHoldPosts)
	}
	names := []string{"basic", "member", "regular"}
	var prev [4]int
	for i, name := range names {
		r := s.TrustLevels.Level(i + 1)
		for j, f := range []struct {
			name string
			v    int
		}{{"days_visited", r.DaysVisited}, {"posts", r.Posts}, {"accepted_answers", r.AcceptedAnswers}, {"reputation", r.Reputation}} {
			field := "trust_levels." + name + "." + f.name
			if f.v < 0 || f.v > maxRequirement {
				return townhall.Errorf(townhall.EINVALID, "%s must be a whole number from 0 to %d.", field, maxRequirement)
			}
			if i > 0 && f.v < prev[j] {
				return townhall.Errorf(townhall.EINVALID, "%s must be at least %s's (%d): a higher level never asks for less.",
					field, names[i-1], prev[j])
			}
			prev[j] = f.v
		}
	}
	return nil
}
