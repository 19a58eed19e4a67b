package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/search"
)

// reindex rebuilds the search index from the store into a new directory and
// then points DATA/search/CURRENT at it. A server running on the same data
// directory keeps answering from the old index meanwhile and switches to the
// new one within about a second; it never opens the live index itself, so it
// is safe to run next to a server.
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// On MongoDB every node keeps its own index in its --data directory;
	// this rebuilds the index of the node it runs on.
	db, cfg, code := openStoreOnly(ctx, "reindex", args, stderr, nil)
	if db == nil {
		return code
	}
	defer db.Close()
	start := time.Now()
	bar := &progressBar{w: stderr, start: start}
	name, err := search.Rebuild(ctx, app.SearchDir(cfg.DataDir), db, bar.update)
	bar.finish()
	if err != nil {
		fmt.Fprintf(stderr, "townhall: reindex: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Rebuilt the search index: %d documents in %s (%s). A running server switches to it within a second; otherwise it is used at the next start.\n",
		bar.total, time.Since(start).Round(time.Millisecond), name)
	return 0
}

// progressBar draws "label [####----] done/total  rate unit/s" on one
// line, redrawn at most five times a second. The label and unit default to
// "indexing" and "docs".
type progressBar struct {
	w           io.Writer
	start, last time.Time
	done, total int
	drawn       bool
	label, unit string
}

func (p *progressBar) update(done, total int) {
	p.done, p.total = done, total
	if done < total && time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	rate := float64(done) / max(time.Since(p.start).Seconds(), 0.001)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '-'
		if i < filled {
			bar[i] = '#'
		}
	}
	label, unit := p.label, p.unit
	if label == "" {
		label, unit = "indexing", "docs"
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d  %.0f %s/s ", label, bar, done, total, rate, unit)
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
