package mongo_test

import (
	"strings"
	"testing"

	"github.com/townhall/townhall/store/mongo"
)

func TestDatabaseFromURI(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"mongodb://127.0.0.1:27017", "townhall"},
		{"mongodb://127.0.0.1:27017/", "townhall"},
		{"mongodb://h1,h2,h3/community?replicaSet=rs0", "community"},
		{"mongodb+srv://user:secret@cluster0.example.net/prod?retryWrites=true", "prod"},
		{"http://example.com/db", ""},
		{"mongodb://", ""},
	} {
		got, err := mongo.DatabaseFromURI(tc.uri)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("DatabaseFromURI(%q) = %q, %v; want %q", tc.uri, got, err, tc.want)
		}
	}
	_, err := mongo.DatabaseFromURI("ftp://user:hunter2@host/db")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v must refuse the URI without showing its password", err)
	}
}
