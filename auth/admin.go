package auth

import (
	"context"
	"math"

	"github.com/townhall/townhall"
)

func requireAdmin(actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage users.")
	}
	return nil
}

// Users lists users for the admin page.
func (s *Service) Users(ctx context.Context, actor *townhall.User, after string, limit int) ([]*townhall.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.store.Users(ctx, after, limit)
}

// SetRole changes a user's role. Admins only; the last admin cannot step down.
func (s *Service) SetRole(ctx context.Context, actor *townhall.User, userID string, role townhall.Role) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if !role.Valid() {
		return townhall.Errorf(townhall.EINVALID, "Unknown role %q.", role)
	}
	if _, err := s.User(ctx, userID); err != nil {
		return err
	}
	return s.store.SetRole(ctx, userID, role)
}

// SetVerified marks a user as a verified customer (or not).
func (s *Service) SetVerified(ctx context.Context, actor *townhall.User, userID string, verified bool) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if _, err := s.User(ctx, userID); err != nil {
		return err
	}
	return s.store.SetUserVerified(ctx, userID, verified)
}

// Segments lists customer segments. Anyone may see them: the idea board
// shows demand by segment.
func (s *Service) Segments(ctx context.Context) ([]*townhall.Segment, error) {
	return s.store.Segments(ctx)
}

// SaveSegment creates (empty ID) or updates a segment.
func (s *Service) SaveSegment(ctx context.Context, actor *townhall.User, seg *townhall.Segment) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	name, err := townhall.CleanText("Segment name", seg.Name, 1, 60)
	if err != nil {
		return err
	}
	if math.IsNaN(seg.Weight) || seg.Weight < 0 || seg.Weight > 1000 {
		return townhall.Errorf(townhall.EINVALID, "Weight must be a number from 0 to 1000.")
	}
	seg.Name = name
	if seg.ID == "" {
		seg.ID = townhall.NewID()
	} else if !townhall.ValidID(seg.ID) {
		return ErrSegmentNotFound
	} else if _, err := s.store.Segment(ctx, seg.ID); err != nil {
		return err
	}
	return s.store.SaveSegment(ctx, seg)
}

// DeleteSegment removes a segment; its members become unsegmented.
func (s *Service) DeleteSegment(ctx context.Context, actor *townhall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if !townhall.ValidID(id) {
		return ErrSegmentNotFound
	}
	return s.store.DeleteSegment(ctx, id)
}

// AssignSegment puts a user in a segment ("" removes them from any).
func (s *Service) AssignSegment(ctx context.Context, actor *townhall.User, userID, segmentID string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if _, err := s.User(ctx, userID); err != nil {
		return err
	}
	if segmentID != "" {
		// An unknown segment is bad input here, not a missing page.
		if !townhall.ValidID(segmentID) {
			return townhall.Errorf(townhall.EINVALID, "Unknown segment %.40q.", segmentID)
		}
		if _, err := s.store.Segment(ctx, segmentID); townhall.ErrorCode(err) == townhall.ENOTFOUND {
			return townhall.Errorf(townhall.EINVALID, "Unknown segment %.40q.", segmentID)
		} else if err != nil {
			return err
		}
	}
	return s.store.SetUserSegment(ctx, userID, segmentID)
}
