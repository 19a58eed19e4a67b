package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/store/sqlite"
)

func TestSeedFlagsAreDocumented(t *testing.T) {
	readme := readREADME(t)
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	new(seedFlags).declare(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(readme, "--"+f.Name) || !strings.Contains(readme, EnvName(f.Name)) {
			t.Errorf("README does not document seed's --%s / %s", f.Name, EnvName(f.Name))
		}
	})
}

func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"seed", "--demo", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("seed --demo: exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Loaded the demo community") {
		t.Errorf("stdout = %q", out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"seed", "--scale", "100", "--seed", "3", "--check", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("seed --scale: exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "50 ideas") || !strings.Contains(errOut.String(), "100%") || !strings.Contains(out.String(), "all consistent") {
		t.Errorf("stdout = %q, progress = %q", out.String(), errOut.String())
	}
	for _, args := range [][]string{{"seed"}, {"seed", "--demo", "--scale", "5"}, {"seed", "--scale", "-1"}} {
		errOut.Reset()
		if code := run(context.Background(), append(args, "--data", t.TempDir()), io.Discard, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(errOut.String(), "exactly one of --demo or --scale") {
			t.Errorf("%v: stderr = %q", args, errOut.String())
		}
	}
}

// A seeded site starts with its insights computed: the first server on it
// does not spend its first minute catching up two years of history (at
// 100k that was 35 s of CPU, beside whatever the site was serving).
func TestSeedComputesInsights(t *testing.T) {
	dir := t.TempDir()
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"seed", "--scale", "200", "--data", dir}, io.Discard, &errOut); code != 0 {
		t.Fatalf("seed --scale: exit %d\n%s", code, errOut.String())
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := insights.NewService(db, time.UTC, slog.New(slog.DiscardHandler))
	report, err := svc.Report(ctx, &townhall.User{ID: "staff", Role: townhall.RoleAdmin}, insights.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Ready {
		t.Fatal("the insights report is not ready after seeding")
	}
	// Every day of the history is stored, and as its rows say now: a pass
	// that ran while the seed was still writing would leave stale days.
	checked, stale, err := svc.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if checked < 700 || len(stale) > 0 {
		t.Errorf("insights after seeding: %d days stored, stale: %v; want two years, none stale", checked, stale)
	}
}
