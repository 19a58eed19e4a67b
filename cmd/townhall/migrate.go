package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/sqlite"
	"github.com/townhall/townhall/store/transfer"
)

// migrateFlags are the migrate-store command's settings.
type migrateFlags struct {
	from, to string
}

func (f *migrateFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.from, "from", "", "store to copy from: sqlite:DIR (a data directory)")
	fs.StringVar(&f.to, "to", "", "store to copy into: mongodb://… or mongodb+srv://… (the database in the path), or sqlite:DIR")
}

// migrateStore copies every record of one store into another (see package
// transfer): IDs, counters and the search change feed included, upserting
// by key so that running it again is safe.
func migrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f migrateFlags
	fs := flag.NewFlagSet("townhall migrate-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.declare(fs)
	if err := parse(fs, args, os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "townhall migrate-store: %v\n", err)
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "townhall migrate-store: "+format+"\n", a...)
		return code
	}
	if f.from == "" || f.to == "" {
		return fail(2, "give both --from sqlite:DIR and --to mongodb://HOST/DATABASE (or --to sqlite:DIR)")
	}
	fromDir, ok := strings.CutPrefix(f.from, "sqlite:")
	if !ok || fromDir == "" {
		if strings.HasPrefix(f.from, "mongodb") {
			return fail(2, "--from: copying out of MongoDB is not supported; --from must be sqlite:DIR")
		}
		return fail(2, "--from %q: must be sqlite:DIR, the data directory of the site to copy", f.from)
	}
	if _, err := os.Stat(filepath.Join(fromDir, sqlite.FileName)); err != nil {
		return fail(2, "--from %s: no Townhall database there (%s is missing)", f.from, filepath.Join(fromDir, sqlite.FileName))
	}
	toDir, toSQLite := strings.CutPrefix(f.to, "sqlite:")
	switch {
	case toSQLite && toDir == "":
		return fail(2, "--to sqlite: needs a directory, like sqlite:./other")
	case toSQLite && sameDir(fromDir, toDir):
		return fail(2, "--from and --to are the same data directory")
	case !toSQLite:
		if _, err := mongo.DatabaseFromURI(f.to); err != nil {
			return fail(2, "--to: %v; use mongodb://HOST/DATABASE or sqlite:DIR", err)
		}
	}

	src, err := sqlite.Open(ctx, fromDir)
	if err != nil {
		return fail(1, "open %s: %v", f.from, err)
	}
	defer src.Close()
	var dst interface {
		transfer.Destination
		Close() error
	}
	target := f.to
	if toSQLite {
		dst, err = sqlite.Open(ctx, toDir)
	} else {
		target = mongo.Redact(f.to)
		dst, err = mongo.OpenURI(ctx, f.to)
	}
	if err != nil {
		return fail(1, "open %s: %v", target, err)
	}
	defer dst.Close()

	source := "sqlite:" + fromDir
	if abs, err := filepath.Abs(fromDir); err == nil {
		source = "sqlite:" + abs
	}
	start := time.Now()
	bar := &progressBar{w: stderr, start: start, label: "copying", unit: "records"}
	res, err := transfer.Copy(ctx, src, source, dst, bar.update)
	bar.finish()
	var refused *transfer.RefusedError
	if errors.As(err, &refused) {
		return fail(2, "refusing to copy into %s: %v", target, err)
	}
	if err != nil {
		return fail(1, "%v (copied so far: %d records; running the same command again finishes the copy)", err, recordsOf(res))
	}
	again := ""
	if res.Again {
		again = " (again: records already there were updated in place, none duplicated)"
	}
	fmt.Fprintf(stdout, "Copied %d records from %s to %s in %s%s: %s.\n",
		res.Records, f.from, target, time.Since(start).Round(time.Millisecond), again, summary(res.ByType))
	fmt.Fprintln(stdout, "Each node builds its search index from the copied change feed when it starts; nothing else is needed.")
	return 0
}

func recordsOf(res *transfer.Result) int {
	if res == nil {
		return 0
	}
	return res.Records
}

// summary lists the non-empty record types, most numerous first.
func summary(byType map[string]int) string {
	names := make([]string, 0, len(byType))
	for n, c := range byType {
		if c > 0 {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if byType[names[i]] != byType[names[j]] {
			return byType[names[i]] > byType[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", byType[n], n)
	}
	if len(parts) == 0 {
		return "the source is empty"
	}
	return strings.Join(parts, ", ")
}

func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
