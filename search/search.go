// Package search is Townhall's full-text search: a Bleve (scorch) index in
// the data directory, an Indexer that tails the store's change feed into it,
// and the query API the web layer calls.
//
// Writes never call search directly. The store records "kind/id changed" in
// its feed inside each write's transaction; the Indexer re-reads those
// entities in batches and stores the last sequence it applied inside the
// index, in the same Bleve batch as the documents. A crash therefore loses
// nothing: on restart indexing resumes after the checkpoint, and replaying a
// change is harmless because documents are keyed by kind and id.
package search

import (
	"context"

	"github.com/townhall/townhall"
)

// Source is what search needs from a store: the change feed and the current
// search document of any entity. *sqlite.DB implements it.
type Source interface {
	// Changes returns up to limit feed entries after seq, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error)
	// LastChange is the newest feed sequence.
	LastChange(ctx context.Context) (int64, error)
	// SearchDocument loads kind/id; Visible is false for anything that must
	// not be found (deleted, hidden, merged, missing).
	SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error)
	// SearchKinds lists the kinds the store can load.
	SearchKinds() []string
	// SearchIDs lists up to limit ids of kind above after, in id order.
	SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error)
}

// docID is the index key of an entity: kinds share one index, so the id
// alone is not unique enough to be safe.
func docID(kind, id string) string { return kind + ":" + id }

func splitDocID(s string) (kind, id string) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:]
		}
	}
	return "", s
}
