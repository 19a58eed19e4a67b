package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

func TestReindexWhileServing(t *testing.T) {
	env := apptest.Start(t)
	before := env.App.SearchIndex.Name()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"reindex", "--data", env.App.Config.DataDir}, &out, &errOut); code != 0 {
		t.Fatalf("reindex exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "indexing [") || !strings.Contains(out.String(), "Rebuilt the search index") {
		t.Fatalf("no progress or summary:\nstdout %s\nstderr %s", out.String(), errOut.String())
	}
	cur, err := os.ReadFile(filepath.Join(app.SearchDir(env.App.Config.DataDir), "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(cur))
	if want == before {
		t.Fatal("CURRENT still names the old index")
	}
	deadline := time.Now().Add(5 * time.Second)
	for env.App.SearchIndex.Name() != want {
		if time.Now().After(deadline) {
			t.Fatalf("the running server still serves %s, want %s", env.App.SearchIndex.Name(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(app.SearchDir(env.App.Config.DataDir), before)); !os.IsNotExist(err) {
		t.Fatalf("the old index was not removed after the swap: %v", err)
	}
	env.Anonymous(t).JSON("GET", "/api/v1/search?q=anything", nil, 200, nil)
}
