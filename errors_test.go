package townhall_test

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/townhall/townhall"
)

func TestErrorKeepsItsCauseBehindTheSafeMessage(t *testing.T) {
	declared := townhall.Errorf(townhall.ECONFLICT, "Taken.")
	wrapped := declared.WithCause(sql.ErrNoRows)
	for _, tc := range []struct {
		name  string
		err   error
		is    []error
		isNot []error
	}{
		{"declared value", declared, []error{declared, townhall.Errorf(townhall.ECONFLICT, "Taken.")},
			[]error{sql.ErrNoRows, townhall.Errorf(townhall.ENOTFOUND, "Taken."), townhall.Errorf(townhall.ECONFLICT, "Other.")}},
		{"with a cause", wrapped, []error{declared, sql.ErrNoRows}, []error{townhall.Errorf(townhall.ECONFLICT, "Other.")}},
		{"wrapped again", fmt.Errorf("save: %w", wrapped), []error{declared, sql.ErrNoRows}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range tc.is {
				if !errors.Is(tc.err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", tc.err, target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(tc.err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", tc.err, target)
				}
			}
			if got := townhall.ErrorCode(tc.err); got != townhall.ECONFLICT {
				t.Errorf("ErrorCode = %q, want conflict", got)
			}
			if got := townhall.ErrorMessage(tc.err); got != "Taken." {
				t.Errorf("ErrorMessage = %q: users must see the safe message only", got)
			}
		})
	}
	if declared.Err != nil {
		t.Fatal("WithCause changed the declared value")
	}
	if !strings.Contains(wrapped.Error(), sql.ErrNoRows.Error()) || strings.Contains(declared.Error(), sql.ErrNoRows.Error()) {
		t.Fatalf("Error() = %q / %q: the cause belongs in the log text of the wrapped error only", wrapped.Error(), declared.Error())
	}
}
