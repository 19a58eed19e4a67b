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
	db, _, code := openStoreOnly(ctx, "check", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&repair, "repair", false, "on MongoDB, write the recomputed counters where they differ")
	})
	if db == nil {
		return code
	}
	defer db.Close()
	return checkStore(ctx, db, repair, "townhall check", stdout, stderr)
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
