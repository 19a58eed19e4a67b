package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

func TestReindexWhileServing(t *testing.T) {
	env := apptest.Start(t)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	var product struct{ ID string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Sync"}, http.StatusCreated, &product)
	for i := range 3 { // one review per customer and product
		c := env.Client(t, fmt.Sprintf("Customer %d", i), townhall.RoleMember)
		c.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": fmt.Sprintf("Hovercraft review %d", i), "body": "Solid."}, http.StatusCreated, nil)
	}
	before := env.App.SearchIndex.Name()
	var out, errOut bytes.Buffer
	args := []string{"reindex", "--data", env.App.Config.DataDir}
	if uri := env.App.Config.MongoDBURI; uri != "" {
		args = append(args, "--mongodb-uri", uri) // a MongoDB node rebuilds its index from the shared store
	}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("reindex exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "3/3") || !strings.Contains(out.String(), "Rebuilt the search index: 3 documents") {
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
	// The old index is closed and deleted right after the swap.
	for {
		if _, err := os.Stat(filepath.Join(app.SearchDir(env.App.Config.DataDir), before)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old index was not removed after the swap")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The rebuilt index serves every document, and writes keep flowing in.
	pat.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 5, "title": "Hovercraft after reindex", "body": "Still solid."}, http.StatusCreated, nil)
	for {
		var res struct{ Total int }
		pat.JSON("GET", "/api/v1/search?q=hovercraft", nil, http.StatusOK, &res)
		if res.Total == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the swap: %d hits for hovercraft, want 4", res.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
