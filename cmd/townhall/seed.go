package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/townhall/townhall/seed"
)

// seedFlags are the seed command's own settings.
type seedFlags struct {
	demo  bool
	scale int
	seed  uint64
	check bool
}

func (f *seedFlags) declare(fs *flag.FlagSet) {
	fs.BoolVar(&f.demo, "demo", false, "load a small hand-written demo community (on an empty site)")
	fs.IntVar(&f.scale, "scale", 0, "generate N threads, N/2 ideas (about 20 votes each), N/100 products with reviews, N/5 users")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed for --scale; the same seed generates the same community")
	fs.BoolVar(&f.check, "check", false, "after seeding, recompute every counter from its rows and fail unless all match")
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f seedFlags
	a, code := openApp(ctx, "seed", args, stdout, stderr, f.declare)
	if a == nil {
		return code
	}
	defer a.Close()
	if f.demo == (f.scale > 0) {
		fmt.Fprintln(stderr, "townhall seed: give exactly one of --demo or --scale N (N ≥ 1)")
		return 2
	}
	start := time.Now()
	if f.demo {
		if err := seed.Demo(ctx, a, stderr); err != nil {
			fmt.Fprintf(stderr, "townhall seed: %v\n", err)
			return 1
		}
		if err := a.Insights.Rebuild(ctx); err != nil {
			fmt.Fprintf(stderr, "townhall seed: insights: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Loaded the demo community into %s in %s.\n", a.Config.DataDir, time.Since(start).Round(time.Millisecond))
		return 0
	}
	counts, err := seed.Scale(ctx, a, seed.ScaleOptions{Threads: f.scale, Seed: f.seed, Progress: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "townhall seed: %v (created so far: %s)\n", err, counts)
		return 1
	}
	// The product team's figures for the generated history, computed now:
	// left to the server, its first start spends a minute of CPU (at 100k)
	// catching up two years, beside whatever it serves.
	fmt.Fprintln(stderr, "insights: computing two years of daily figures …")
	if err := a.Insights.Rebuild(ctx); err != nil {
		fmt.Fprintf(stderr, "townhall seed: insights: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Seeded %s in %s: %s.\n", a.Config.DataDir, time.Since(start).Round(time.Millisecond), counts)
	if f.check {
		return checkStore(ctx, a.DB, false, "townhall seed", stdout, stderr)
	}
	return 0
}
