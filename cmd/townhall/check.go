package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/sqlite"
)

// check recomputes the store's denormalized counters from their facts and
// reports any that differ; on MongoDB --repair also writes the recomputed
// values (a node that died between a write's two steps leaves a counter
// behind its facts). Safe while the site serves: it only reads unless
// repairing.
func check(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var repair bool
	db, cfg, code := openStoreOnly(ctx, "check", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&repair, "repair", false, "on MongoDB, write the recomputed counters where they differ")
	})
	if db == nil {
		return code
	}
	defer db.Close()
	code = checkStore(ctx, db, repair, "townhall check", stdout, stderr)
	if code == 2 {
		return code
	}
	if err := checkInsights(ctx, db, cfg.TimeZone, repair, stdout); err != nil {
		fmt.Fprintf(stderr, "townhall check: insights: %v\n", err)
		return 1
	}
	return code
}

// checkInsights recomputes the insights' stored days from their facts.
// Days behind their facts are normal for a while after old facts change
// (the background pass revisits every day within about two hours), so
// they are reported without failing the check; --repair (MongoDB only,
// like the counters) recomputes them at once.
func checkInsights(ctx context.Context, store app.Store, zone string, repair bool, stdout io.Writer) error {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return err
	}
	svc := insights.NewService(store, loc, nil)
	checked, stale, err := svc.Verify(ctx)
	switch {
	case err != nil:
		return err
	case checked == 0:
		fmt.Fprintln(stdout, "Insights: no days computed yet; a running server computes them in the background.")
	case len(stale) == 0:
		fmt.Fprintf(stdout, "Insights: all %d stored days match their facts.\n", checked)
	case repair:
		if err := svc.Rebuild(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Insights: recomputed the last two years; %d of %d stored days were behind their facts.\n", len(stale), checked)
	default:
		shown := stale[:min(len(stale), 5)]
		more := ""
		if len(stale) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(stale)-len(shown))
		}
		fmt.Fprintf(stdout, "Insights: %d of %d stored days are behind their facts (%s%s); the background pass recomputes every day within about two hours%s.\n",
			len(stale), checked, strings.Join(shown, ", "), more, map[bool]string{true: ", or run with --repair", false: ""}[isMongo(store)])
	}
	return nil
}

func isMongo(s app.Store) bool {
	_, ok := s.(*mongo.DB)
	return ok
}

// openStoreOnly parses a command's flags and opens only the store: no
// search index, no background work, so the command can run next to a
// serving site. extra, when not nil, declares the command's own flags. A
// nil store means it failed (or only showed help) and code is the exit code.
func openStoreOnly(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (app.Store, *app.Config, int) {
	fs, cfg, _ := configFlags(name, stderr)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args, os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, 0
		}
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		return nil, nil, 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		return nil, nil, 2
	}
	db, err := app.OpenStore(ctx, *cfg)
	if err != nil {
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		var ce *app.ConfigError
		if errors.As(err, &ce) { // a database a newer Townhall wrote
			return nil, nil, 2
		}
		return nil, nil, 1
	}
	return db, cfg, 0
}

// checkStore runs the store's consistency check; who prefixes its messages.
func checkStore(ctx context.Context, store app.Store, repair bool, who string, stdout, stderr io.Writer) int {
	start := time.Now()
	switch db := store.(type) {
	case *sqlite.DB:
		if repair {
			fmt.Fprintf(stderr, "%s: --repair is for MongoDB; the embedded store changes every counter in the same transaction as its fact, so a difference here is a bug to report\n", who)
			return 2
		}
		return checkSQLite(ctx, db, who, start, stdout, stderr)
	case *mongo.DB:
		lines, err := db.RepairCounters(ctx, repair)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", who, err)
			return 1
		}
		for _, l := range lines {
			fmt.Fprintf(stderr, "%s: inconsistent: %s\n", who, l)
		}
		switch {
		case len(lines) == 0:
			fmt.Fprintf(stdout, "Checked every counter against its documents in %s: all consistent.\n", time.Since(start).Round(time.Millisecond))
		case repair:
			fmt.Fprintf(stdout, "Repaired %d counters in %s.\n", len(lines), time.Since(start).Round(time.Millisecond))
		default:
			fmt.Fprintf(stdout, "%d counters differ from their documents; run again with --repair to fix them.\n", len(lines))
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "%s: this store has no consistency check\n", who)
	return 2
}

func checkSQLite(ctx context.Context, db *sqlite.DB, who string, start time.Time, stdout, stderr io.Writer) int {
	// Exact first: a bulk load folds trend scores exactly as live votes do.
	// Content written live may have votes of the same millisecond folded in
	// another order, a last-bit difference that the second pass tolerates.
	exact, err := db.CheckCounters(ctx, 0)
	if err != nil {
		fmt.Fprintf(stderr, "%s: check: %v\n", who, err)
		return 1
	}
	problems, note := exact, "trend scores bit for bit"
	if len(exact) > 0 {
		if problems, err = db.CheckCounters(ctx, 1e-9); err != nil {
			fmt.Fprintf(stderr, "%s: check: %v\n", who, err)
			return 1
		}
		note = "trend scores to 1e-9: " + strings.Join(exact, "; ")
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s: inconsistent: %s\n", who, p)
	}
	if len(problems) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "Checked every counter against its rows in %s: all consistent (%s).\n", time.Since(start).Round(time.Millisecond), note)
	return 0
}
