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
	u, err := s.liveUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.store.SetRole(ctx, userID, role); err != nil {
		return err
	}
	if u.Role != role {
		s.record(ctx, actor, "user.role", u, map[string]any{"role": u.Role}, map[string]any{"role": role})
	}
	return nil
}

// liveUser is a user an admin may change: one that exists and was not
// deleted.
func (s *Service) liveUser(ctx context.Context, id string) (*townhall.User, error) {
	u, err := s.User(ctx, id)
	if err == nil && !u.DeletedAt.IsZero() {
		return nil, ErrUserDeleted
	}
	return u, err
}

// record logs an admin's action on a user in the staff log.
func (s *Service) record(ctx context.Context, actor *townhall.User, action string, u *townhall.User, before, after any) {
	townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: action, TargetKind: "user", TargetID: u.ID,
		Target: "@" + u.Handle, Before: before, After: after})
}

// SetVerified marks a user as a verified customer (or not).
func (s *Service) SetVerified(ctx context.Context, actor *townhall.User, userID string, verified bool) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	u, err := s.liveUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.store.SetUserVerified(ctx, userID, verified); err != nil {
		return err
	}
	// Before is as pages showed it: verified through a segment counts.
	s.record(ctx, actor, "user.verified", u, map[string]any{"verified": u.Verified}, map[string]any{"verified": verified})
	return nil
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
	entry := townhall.StaffAction{Action: "segment.create", TargetKind: "segment"}
	if seg.ID == "" {
		seg.ID = townhall.NewID()
	} else if !townhall.ValidID(seg.ID) {
		return ErrSegmentNotFound
	} else if old, err := s.store.Segment(ctx, seg.ID); err != nil {
		return err
	} else {
		entry.Action, entry.Before = "segment.update", segmentFields(old)
	}
	if err := s.store.SaveSegment(ctx, seg); err != nil {
		return err
	}
	entry.TargetID, entry.Target, entry.After = seg.ID, seg.Name, segmentFields(seg)
	townhall.RecordStaff(ctx, s.staff, actor, entry)
	return nil
}

// segmentFields are what the staff log shows of a segment.
func segmentFields(seg *townhall.Segment) map[string]any {
	return map[string]any{"name": seg.Name, "weight": seg.Weight, "verified": seg.Verified}
}

// DeleteSegment removes a segment; its members become unsegmented.
func (s *Service) DeleteSegment(ctx context.Context, actor *townhall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if !townhall.ValidID(id) {
		return ErrSegmentNotFound
	}
	old, err := s.store.Segment(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSegment(ctx, id); err != nil {
		return err
	}
	townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "segment.delete", TargetKind: "segment", TargetID: id,
		Target: old.Name, Before: segmentFields(old)})
	return nil
}

// AssignSegment puts a user in a segment ("" removes them from any).
func (s *Service) AssignSegment(ctx context.Context, actor *townhall.User, userID, segmentID string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	u, err := s.liveUser(ctx, userID)
	if err != nil {
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
	if err := s.store.SetUserSegment(ctx, userID, segmentID); err != nil {
		return err
	}
	if u.SegmentID != segmentID {
		s.record(ctx, actor, "user.segment", u, s.segmentRef(ctx, u.SegmentID), s.segmentRef(ctx, segmentID))
	}
	return nil
}

// segmentRef is a user's segment as the staff log shows it: its id and
// name ("" for none).
func (s *Service) segmentRef(ctx context.Context, id string) map[string]string {
	ref := map[string]string{"segment_id": id, "segment": ""}
	if id != "" {
		if seg, err := s.store.Segment(ctx, id); err == nil {
			ref["segment"] = seg.Name
		}
	}
	return ref
}
