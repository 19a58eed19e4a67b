package mongo_test

import (
	"errors"
	"fmt"
	"testing"

	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/townhall/townhall/store/mongo"
)

// TestTransientErrors: an insert is tried again only on errors that leave
// nothing behind; a duplicate key is an answer, not a conflict.
func TestTransientErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error", errors.New("deadlock detected"), false},
		{"FerretDB deadlock", driver.WriteException{WriteErrors: driver.WriteErrors{{Code: 16908292, Message: "deadlock detected"}}}, true},
		{"wrapped deadlock", fmt.Errorf("flag: %w", driver.WriteException{WriteErrors: driver.WriteErrors{{Code: 16908292, Message: "deadlock detected"}}}), true},
		{"WriteConflict", driver.CommandError{Code: 112, Name: "WriteConflict", Message: "write conflict"}, true},
		{"transient label", driver.CommandError{Code: 251, Labels: []string{"TransientTransactionError"}}, true},
		{"duplicate key", driver.WriteException{WriteErrors: driver.WriteErrors{{Code: 11000, Message: "E11000 duplicate key error"}}}, false},
		{"validation", driver.WriteException{WriteErrors: driver.WriteErrors{{Code: 121, Message: "Document failed validation"}}}, false},
	} {
		if got := mongo.Transient(tc.err); got != tc.want {
			t.Errorf("%s: transient(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
