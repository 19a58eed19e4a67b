package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/seed"
	"github.com/townhall/townhall/store/sqlite"
	"github.com/townhall/townhall/store/transfer"
)

func TestMigrateStoreFlagsAreDocumented(t *testing.T) {
	readme := readREADME(t)
	fs := flag.NewFlagSet("migrate-store", flag.ContinueOnError)
	new(migrateFlags).declare(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(readme, "--"+f.Name) || !strings.Contains(readme, EnvName(f.Name)) {
			t.Errorf("README does not document migrate-store's --%s / %s", f.Name, EnvName(f.Name))
		}
	})
	if !strings.Contains(readme, "townhall migrate-store") {
		t.Error("README does not show the migrate-store command")
	}
}

func TestMigrateStoreBadArguments(t *testing.T) {
	site := t.TempDir()
	if code := run(context.Background(), []string{"seed", "--demo", "--data", site}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("seed: exit %d", code)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing", nil, "give both --from"},
		{"no destination", []string{"--from", "sqlite:" + site}, "give both --from"},
		{"source of another kind", []string{"--from", "postgres://x", "--to", "sqlite:" + t.TempDir()}, "must be sqlite:DIR"},
		{"MongoDB source", []string{"--from", "mongodb://127.0.0.1/x", "--to", "sqlite:" + t.TempDir()}, "copying out of MongoDB is not supported"},
		{"source without a database", []string{"--from", "sqlite:" + t.TempDir(), "--to", "sqlite:" + t.TempDir()}, "no Townhall database there"},
		{"destination of another kind", []string{"--from", "sqlite:" + site, "--to", "http://127.0.0.1:27017"}, "--to"},
		{"destination without a directory", []string{"--from", "sqlite:" + site, "--to", "sqlite:"}, "needs a directory"},
		{"the same directory", []string{"--from", "sqlite:" + site, "--to", "sqlite:" + site + "/."}, "same data directory"},
		{"stray argument", []string{"--from", "sqlite:" + site, "--to", "sqlite:" + t.TempDir(), "now"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"migrate-store"}, tc.args...), &out, &errOut)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, errOut.String())
			}
			if msg := errOut.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
				t.Fatalf("stderr %q: want one line mentioning %q", msg, tc.want)
			}
		})
	}
}

// site is a source community: the demo data plus votes, a review marked
// helpful, a hidden idea, a hidden reply and a thread to search for, with
// signed-in clients whose sessions must survive the move.
type site struct {
	env             *apptest.Env
	admin, ann, bob *apptest.Client
	hiddenIdea      string
	threadID        string
	productID       string
	category        string
}

func newSite(t *testing.T) *site {
	t.Helper()
	env := apptest.Start(t, apptest.EmbeddedStore("migrate-store copies from an embedded store's data directory"))
	if err := seed.Demo(context.Background(), env.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A job not run yet (a queue no node serves) moves with the site.
	later := time.Now().Add(time.Hour)
	if _, err := jobs.Enqueue(context.Background(), env.App.DB, time.Now(), nil,
		&jobs.Job{Key: "test:later", Queue: "test", Payload: []byte(`{"to":"ann"}`), RunAt: later}); err != nil {
		t.Fatal(err)
	}
	s := &site{env: env, admin: env.Client(t, "Mo Derator", townhall.RoleAdmin),
		ann: env.Client(t, "Ann", townhall.RoleMember), bob: env.Client(t, "Bob", townhall.RoleMember)}
	var list struct {
		Items []struct{ ID string }
	}
	s.ann.JSON("GET", "/api/v1/ideas?sort=top", nil, http.StatusOK, &list)
	for _, c := range []*apptest.Client{s.ann, s.bob} {
		c.JSON("POST", "/api/v1/ideas/"+list.Items[1].ID+"/vote", nil, http.StatusOK, nil)
	}
	s.hiddenIdea = list.Items[2].ID
	s.admin.JSON("PUT", "/api/v1/ideas/"+s.hiddenIdea+"/hidden", map[string]any{"hidden": true, "reason": "spam"}, http.StatusOK, nil)

	var products struct {
		Items []struct{ ID string }
	}
	s.ann.JSON("GET", "/api/v1/products", nil, http.StatusOK, &products)
	s.productID = products.Items[0].ID
	var review struct{ ID string }
	s.ann.JSON("POST", "/api/v1/products/"+s.productID+"/reviews", map[string]any{"rating": 2, "title": "Slow sync", "body": "It lags."}, http.StatusCreated, &review)
	s.bob.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)

	var cats struct {
		Categories []struct{ Slug string }
	}
	s.ann.JSON("GET", "/api/v1/categories", nil, http.StatusOK, &cats)
	s.category = cats.Categories[0].Slug
	var th struct{ ID string }
	s.ann.JSON("POST", "/api/v1/threads", map[string]string{"category": s.category, "title": "Zanzibar export question", "body": "How do I export?"}, http.StatusCreated, &th)
	s.threadID = th.ID
	var reply struct{ ID string }
	s.bob.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Buy pills here"}, http.StatusCreated, &reply)
	s.admin.JSON("POST", "/api/v1/posts/"+reply.ID+"/hide", nil, http.StatusOK, nil)
	s.ann.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Found it: Settings → Export."}, http.StatusCreated, nil)
	return s
}

// pages are the API answers that must be the same on the copy, each for
// an anonymous visitor, a member and an admin.
func (s *site) pages() []string {
	return []string{
		"/api/v1/me",
		"/api/v1/ideas?sort=top", "/api/v1/ideas?sort=new", "/api/v1/ideas?sort=trending",
		"/api/v1/ideas/" + s.hiddenIdea,
		"/api/v1/categories", "/api/v1/categories/" + s.category + "/threads", "/api/v1/threads/" + s.threadID,
		"/api/v1/products", "/api/v1/products/" + s.productID,
		"/api/v1/products/" + s.productID + "/reviews?sort=helpful", "/api/v1/products/" + s.productID + "/reviews?sort=lowest",
		"/api/v1/notifications",
	}
}

// sameAnswers fetches every page from the source and, with the same
// cookies, from the copy, and fails on any difference.
func (s *site) sameAnswers(t *testing.T, copy *apptest.Env) {
	t.Helper()
	for _, c := range []*apptest.Client{s.env.Anonymous(t), s.ann, s.admin} {
		for _, p := range s.pages() {
			c.Base = s.env.URL
			wantRes, want := c.Do("GET", p, nil)
			c.Base = copy.URL
			gotRes, got := c.Do("GET", p, nil)
			c.Base = s.env.URL
			if gotRes.StatusCode != wantRes.StatusCode || !bytes.Equal(got, want) {
				t.Errorf("GET %s as %v: the copy answers %d\n%s\nthe source %d\n%s", p, c.User, gotRes.StatusCode, got, wantRes.StatusCode, want)
			}
		}
	}
}

func migrate(t *testing.T, from, to string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), []string{"migrate-store", "--from", from, "--to", to}, &out, &errOut)
	return code, out.String(), errOut.String()
}

// records exports every record of a SQLite store but the migration marker.
func records(t *testing.T, dir string) map[string][]transfer.Record {
	t.Helper()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]transfer.Record{}
	err = db.Export(context.Background(), func(int) {}, func(b transfer.Batch) error {
		for _, r := range b.Records {
			if s, ok := r.(*transfer.Setting); ok && s.Key == transfer.MarkerKey {
				continue
			}
			out[b.Type.Name] = append(out[b.Type.Name], r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// searchLikeSource waits until the copy's search answers q with as many
// hits as the source's (at least one) and fails if that never happens.
func (s *site) searchLikeSource(t *testing.T, copy *apptest.Env, c *apptest.Client, q string) {
	t.Helper()
	// The source's own indexer may not have caught up with the writes yet;
	// what q matches was written in one transaction, so it is indexed in
	// one batch: the first non-zero answer is the whole answer.
	var res struct{ Total int }
	c.Base = s.env.URL
	for deadline := time.Now().Add(20 * time.Second); res.Total == 0; time.Sleep(50 * time.Millisecond) {
		c.JSON("GET", "/api/v1/search?q="+q, nil, http.StatusOK, &res)
		if res.Total == 0 && time.Now().After(deadline) {
			t.Fatalf("search %q on the source finds nothing after 20 s", q)
		}
	}
	c.Base = copy.URL
	waitForSearch(t, c, q, res.Total)
}

func waitForSearch(t *testing.T, c *apptest.Client, q string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var res struct{ Total int }
		c.JSON("GET", "/api/v1/search?q="+q, nil, http.StatusOK, &res)
		if res.Total == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q on the copy: %d hits, want %d (the index is built from the copied change feed)", q, res.Total, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMigrateStoreSQLiteToSQLite(t *testing.T) {
	src := newSite(t)
	from := "sqlite:" + src.env.App.Config.DataDir
	dir := t.TempDir()

	// The source keeps serving while it is copied.
	code, out, errOut := migrate(t, from, "sqlite:"+dir)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, errOut)
	}
	want := records(t, src.env.App.Config.DataDir)
	total := 0
	for _, rs := range want {
		total += len(rs)
	}
	if !strings.Contains(out, fmt.Sprintf("Copied %d records", total)) || !strings.Contains(errOut, fmt.Sprintf("%d/%d", total, total)) {
		t.Fatalf("want %d records copied with a progress bar:\nstdout %s\nstderr %s", total, out, errOut)
	}
	if got := records(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("the copy's records differ from the source's")
	}

	// Running it again changes nothing and duplicates nothing.
	code, out, errOut = migrate(t, from, "sqlite:"+dir)
	if code != 0 || !strings.Contains(out, "again") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	if got := records(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the second run the copy's records differ from the source's")
	}

	copy := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.DataDir = dir }),
		apptest.EmbeddedStore("serves the copied data directory"))
	src.sameAnswers(t, copy)
	src.searchLikeSource(t, copy, src.ann, "zanzibar")
	src.searchLikeSource(t, copy, src.ann, "lags")
	waitForSearch(t, src.ann, "pills", 0) // the hidden reply stays out

	// Once the copy is written to, copying over it again is refused.
	src.ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Written on the copy", "body": "New."}, http.StatusCreated, nil)
	code, _, errOut = migrate(t, from, "sqlite:"+dir)
	if code != 2 || !strings.Contains(errOut, "written to since") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("re-run after a write on the copy: exit %d, stderr %q; want 2 and one line saying why", code, errOut)
	}
	// So is a destination holding a site of its own.
	other := apptest.Start(t, apptest.EmbeddedStore("a data directory holding a site of its own"))
	other.Client(t, "Zed", townhall.RoleMember)
	code, _, errOut = migrate(t, from, "sqlite:"+other.App.Config.DataDir)
	if code != 2 || !strings.Contains(errOut, "already holds a site") {
		t.Fatalf("copy into a used store: exit %d, stderr %q; want 2 and why", code, errOut)
	}
	if m, err := other.App.DB.(*sqlite.DB).Setting(context.Background(), transfer.MarkerKey); err != nil || m != "" {
		t.Fatalf("the refused destination was marked: %q, %v", m, err)
	}
}

func TestTransferCoversEveryTable(t *testing.T) {
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := sqlite.Tables(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]transfer.Type{}
	for _, ty := range transfer.Types {
		types[ty.Name] = ty
	}
	folded := map[string]bool{"identities": true} // travel with their user
	for table, cols := range tables {
		ty, ok := types[table]
		if folded[table] {
			continue
		}
		if !ok {
			t.Errorf("table %s is not copied by migrate-store: add a record type to store/transfer", table)
			continue
		}
		fields := map[string]bool{}
		rt := reflect.TypeOf(ty.New()).Elem()
		for i := range rt.NumField() {
			if tag, ok := rt.Field(i).Tag.Lookup("col"); ok {
				fields[strings.Split(tag, ",")[0]] = true
			}
		}
		for _, c := range cols {
			if !fields[c] {
				t.Errorf("column %s.%s is not copied by migrate-store: add it to the record type", table, c)
			}
		}
	}
}

func TestMigrateStoreToMongoDB(t *testing.T) {
	if apptest.MongoDBURI() == "" {
		t.Skipf("%s is not set: copying into MongoDB was not tested", apptest.MongoDBURIEnv)
	}
	to := apptest.FreshMongoDB(t)

	src := newSite(t)
	from := "sqlite:" + src.env.App.Config.DataDir
	if code, _, errOut := migrate(t, from, to); code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, errOut)
	}
	copy := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = to }))
	src.sameAnswers(t, copy)
	if code, out, errOut := migrate(t, from, to); code != 0 || !strings.Contains(out, "again") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	src.sameAnswers(t, copy)
	src.searchLikeSource(t, copy, src.ann, "zanzibar")
	src.searchLikeSource(t, copy, src.ann, "lags")
	waitForSearch(t, src.ann, "pills", 0)
	// The copy keeps working: a new idea gets the next feed sequence and
	// is found by search.
	src.ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Quokka mode", "body": "Written on MongoDB."}, http.StatusCreated, nil)
	waitForSearch(t, src.ann, "quokka", 1)

	// A node on MongoDB rebuilds its own index from the shared store, and
	// the running node switches to it and still finds everything.
	before := copy.App.SearchIndex.Name()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"reindex", "--mongodb-uri", to, "--data", copy.App.Config.DataDir}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "Rebuilt the search index") {
		t.Fatalf("reindex on MongoDB: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for deadline := time.Now().Add(5 * time.Second); copy.App.SearchIndex.Name() == before; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the MongoDB node did not switch to the rebuilt index")
		}
	}
	waitForSearch(t, src.ann, "quokka", 1)
	src.searchLikeSource(t, copy, src.ann, "zanzibar")

	// Every counter of the copy agrees with its documents.
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"check", "--mongodb-uri", to, "--data", t.TempDir()}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "all consistent") {
		t.Fatalf("check on the MongoDB copy: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
