package townhall

import "context"

// StaffAction describes one action a moderator, admin or product-team
// member took, for the staff log. Action is dotted, target kind first
// ("post.hide", "idea.status", "user.role"); Target is a label of the target
// as it is now (a title, a handle), kept so the log reads right after a
// rename or deletion; Before and After are the values the action changed
// (marshalled to JSON; nil for none); Reason is what the actor gave.
type StaffAction struct {
	Action     string
	TargetKind string
	TargetID   string
	Target     string
	Before     any
	After      any
	Reason     string
}

// StaffLog records staff actions; audit.Log implements it. Services take
// one so that domain packages need not import audit.
type StaffLog interface {
	// Record appends an entry for an action that already happened; an
	// error is for logging, never a reason to undo the action.
	Record(ctx context.Context, actor *User, a StaffAction) error
}

// RecordStaff records a in l after a staff action succeeded. A nil l
// records nothing, and a failure is the log's to report (audit.Log logs
// it): the action itself stands either way.
func RecordStaff(ctx context.Context, l StaffLog, actor *User, a StaffAction) {
	if l != nil {
		_ = l.Record(ctx, actor, a)
	}
}
