package apptest

import "testing"

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ uri, want string }{
		{"mongodb://127.0.0.1:27117/", "mongodb://127.0.0.1:27117/t1"},
		{"mongodb://127.0.0.1:27117", "mongodb://127.0.0.1:27117/t1"},
		{"mongodb://db1,db2,db3/townhall?replicaSet=rs0", "mongodb://db1,db2,db3/t1?replicaSet=rs0"},
		{"mongodb://127.0.0.1:27017/?replicaSet=rs0", "mongodb://127.0.0.1:27017/t1?replicaSet=rs0"},
		{"mongodb+srv://u:p@cluster0.example.net/app?authSource=admin", "mongodb+srv://u:p@cluster0.example.net/t1?authSource=admin"},
	} {
		if got := withDatabase(c.uri, "t1"); got != c.want {
			t.Errorf("withDatabase(%q) = %q, want %q", c.uri, got, c.want)
		}
	}
}
