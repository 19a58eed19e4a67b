package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/seed"
)

// TestLoadAgainstSeededSite runs the harness briefly against a real server
// with the demo community and checks it measured every kind of traffic the
// site offers without a single failed request.
func TestLoadAgainstSeededSite(t *testing.T) {
	env := apptest.Start(t)
	if err := seed.Demo(context.Background(), env.App, nil); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(env.URL)
	var log bytes.Buffer
	const requests = 400
	res, err := load(context.Background(), options{
		base: u, concurrency: 4, duration: time.Minute, users: 3,
		writes: 0.2, apiReads: 0.2, seed: 1, maxRequests: requests,
	}, &log)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, log.String())
	}
	if res.total != requests {
		t.Errorf("measured %d requests, want %d", res.total, requests)
	}
	seen := map[string]int{}
	for _, r := range res.routes {
		seen[r.name] = r.n
		if len(r.errors) > 0 {
			t.Errorf("%s: failed requests by status %v", r.name, r.errors)
		}
	}
	for _, want := range []string{"page /t/:id", "page /c/:slug", "api GET /threads/:id", "api POST reply", "page /ideas", "page /ideas/:id", "page /products/:slug", "api GET /ideas", "api vote toggle", "api POST idea comment",
		"api like toggle", "page /u/:handle", "page /leaderboard"} {
		if seen[want] == 0 {
			t.Errorf("no %q requests measured; routes: %v", want, seen)
		}
	}
	var out bytes.Buffer
	res.print(&out)
	if !strings.Contains(out.String(), "page renders:") || !strings.Contains(out.String(), "p99 ms") {
		t.Errorf("report lacks throughput or percentiles:\n%s", out.String())
	}
}

func TestRoutesFilter(t *testing.T) {
	env := apptest.Start(t)
	if err := seed.Demo(context.Background(), env.App, nil); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--url", env.URL, "--routes", "vote", "--concurrency", "2", "--users", "2",
		"--max-requests", "50", "--duration", "1m"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "api vote toggle") || strings.Contains(out.String(), "page /ideas") {
		t.Errorf("--routes vote ran other routes:\n%s", out.String())
	}
}

func TestRefusesRemoteTargets(t *testing.T) {
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"--url", "http://example.com"}, &bytes.Buffer{}, &errOut); code != 2 {
		t.Errorf("exit code %d for a remote URL, want 2", code)
	}
	if !strings.Contains(errOut.String(), "must point at this machine") {
		t.Errorf("stderr = %q", errOut.String())
	}
}
