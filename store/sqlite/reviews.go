package sqlite

import (
	"context"
	"database/sql"
	"html/template"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

func init() {
	registerMigrations("reviews", 50, `
CREATE TABLE products (
	id               TEXT PRIMARY KEY,
	slug             TEXT NOT NULL UNIQUE,
	name             TEXT NOT NULL,
	description      TEXT NOT NULL DEFAULT '',
	description_html TEXT NOT NULL DEFAULT '',
	image_url        TEXT NOT NULL DEFAULT '',
	archived         INTEGER NOT NULL DEFAULT 0,
	-- rating aggregates, updated in the same transaction as each review
	rating_count     INTEGER NOT NULL DEFAULT 0,
	rating_sum       INTEGER NOT NULL DEFAULT 0,
	stars1           INTEGER NOT NULL DEFAULT 0,
	stars2           INTEGER NOT NULL DEFAULT 0,
	stars3           INTEGER NOT NULL DEFAULT 0,
	stars4           INTEGER NOT NULL DEFAULT 0,
	stars5           INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);
CREATE INDEX products_listing ON products(archived, name COLLATE NOCASE, id);
CREATE INDEX products_names ON products(name COLLATE NOCASE, id);
CREATE TABLE reviews (
	id                  TEXT PRIMARY KEY,
	product_id          TEXT NOT NULL REFERENCES products(id),
	author_id           TEXT NOT NULL REFERENCES users(id),
	rating              INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	title               TEXT NOT NULL DEFAULT '',
	body                TEXT NOT NULL DEFAULT '',
	body_html           TEXT NOT NULL DEFAULT '',
	verified            INTEGER NOT NULL DEFAULT 0,
	helpful             INTEGER NOT NULL DEFAULT 0,
	response_author_id  TEXT REFERENCES users(id),
	response_body       TEXT NOT NULL DEFAULT '',
	response_html       TEXT NOT NULL DEFAULT '',
	response_created_at INTEGER,
	response_updated_at INTEGER,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	UNIQUE (product_id, author_id)
);
-- One index per page query: newest; highest (and any sort filtered by stars);
-- lowest (rating ascending, newest first within a rating); most helpful,
-- unfiltered and filtered by stars.
CREATE INDEX reviews_newest ON reviews(product_id, id);
CREATE INDEX reviews_rating ON reviews(product_id, rating, id);
CREATE INDEX reviews_lowest ON reviews(product_id, rating, id DESC);
CREATE INDEX reviews_helpful ON reviews(product_id, helpful, id);
CREATE INDEX reviews_stars_helpful ON reviews(product_id, rating, helpful, id);
CREATE INDEX reviews_author ON reviews(author_id);
CREATE TABLE review_votes (
	review_id  TEXT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (review_id, user_id)
) WITHOUT ROWID;
CREATE INDEX review_votes_user ON review_votes(user_id);`)

	registerDocSource(townhall.KindReview, docSource{load: loadReviewDoc, list: listIDs("reviews")})
}

var _ reviews.Store = (*DB)(nil)

// openForReviews fails unless the product exists and is not archived.
func openForReviews(ctx context.Context, tx *sql.Tx, productID string) error {
	var name string
	var archived bool
	err := tx.QueryRowContext(ctx, `SELECT name, archived FROM products WHERE id = ?`, productID).Scan(&name, &archived)
	if err != nil {
		return notFound(err, reviews.ErrProductNotFound)
	}
	if archived {
		return reviews.ErrArchived(name)
	}
	return nil
}

// CreateReview implements reviews.Store.
func (db *DB) CreateReview(ctx context.Context, r *reviews.Review) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := openForReviews(ctx, tx, r.ProductID); err != nil {
			return err
		}
		var hiddenAt sql.NullInt64
		var hiddenBy, hiddenReason string
		if h := r.Hidden; h != nil {
			hiddenAt, hiddenBy, hiddenReason = sql.NullInt64{Int64: ms(h.At), Valid: true}, h.ByID, h.Reason
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reviews(id, product_id, author_id, rating, title, body, body_html, verified, created_at, updated_at,
			hidden_at, hidden_by, hidden_reason) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)`, r.ID, r.ProductID, r.AuthorID, r.Rating,
			r.Title, r.Body, string(r.BodyHTML), boolInt(r.Verified), ms(r.CreatedAt), ms(r.UpdatedAt), hiddenAt, hiddenBy, hiddenReason)
		if isUnique(err) {
			return reviews.ErrAlreadyReviewed.WithCause(err)
		} else if err != nil {
			return err
		}
		if r.Hidden == nil {
			if err := bumpRating(ctx, tx, r.ProductID, r.Rating, 1); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindReview, r.ID)
	})
}

// UpdateReview implements reviews.Store.
func (db *DB) UpdateReview(ctx context.Context, r *reviews.Review) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var productID string
		var old int
		var hidden bool
		err := tx.QueryRowContext(ctx, `SELECT product_id, rating, hidden_at IS NOT NULL FROM reviews WHERE id = ?`, r.ID).Scan(&productID, &old, &hidden)
		if err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		if err := openForReviews(ctx, tx, productID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET rating = ?, title = ?, body = ?, body_html = ?, verified = ?, updated_at = ?
			WHERE id = ?`, r.Rating, r.Title, r.Body, string(r.BodyHTML), boolInt(r.Verified), ms(r.UpdatedAt), r.ID); err != nil {
			return err
		}
		if old != r.Rating && !hidden {
			if err := bumpRating(ctx, tx, productID, old, -1); err != nil {
				return err
			}
			if err := bumpRating(ctx, tx, productID, r.Rating, 1); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindReview, r.ID)
	})
}

// DeleteReview implements reviews.Store.
func (db *DB) DeleteReview(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var productID, author string
		var rating, votes int
		var hidden bool
		err := tx.QueryRowContext(ctx, `SELECT product_id, rating, author_id, (SELECT COUNT(*) FROM review_votes v WHERE v.review_id = r.id),
			hidden_at IS NOT NULL FROM reviews r WHERE id = ?`, id).Scan(&productID, &rating, &author, &votes, &hidden)
		if err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		// Its helpful votes go with it (ON DELETE CASCADE), and their points.
		if err := db.credit(ctx, tx, db.now(), loyalty.ReviewDeleted(id, author, productID, votes)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM reviews WHERE id = ?`, id); err != nil {
			return err
		}
		if !hidden {
			if err := bumpRating(ctx, tx, productID, rating, -1); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindReview, id)
	})
}

// reviewSelect reads reviews with their authors' names; its one parameter
// is the viewer, for the "you found this helpful" flag.
const reviewSelect = `SELECT r.id, r.product_id, r.author_id, u.name, r.rating, r.title, r.body, r.body_html,
	r.verified, r.helpful, EXISTS(SELECT 1 FROM review_votes v WHERE v.review_id = r.id AND v.user_id = ?),
	COALESCE(r.response_author_id, ''), COALESCE(ru.name, ''), r.response_body, r.response_html,
	r.response_created_at, r.response_updated_at, r.created_at, r.updated_at,
	r.hidden_at, COALESCE(r.hidden_by, ''), COALESCE(hu.name, ''), r.hidden_reason
	FROM reviews r JOIN users u ON u.id = r.author_id LEFT JOIN users ru ON ru.id = r.response_author_id
	LEFT JOIN users hu ON hu.id = r.hidden_by `

func scanReview(row scanner) (*reviews.Review, error) {
	var r reviews.Review
	var body, respAuthor, respName, respBody, respHTML string
	var respCreated, respUpdated, hiddenAt sql.NullInt64
	var created, updated int64
	var h reviews.Hidden
	err := row.Scan(&r.ID, &r.ProductID, &r.AuthorID, &r.AuthorName, &r.Rating, &r.Title, &r.Body, &body,
		&r.Verified, &r.Helpful, &r.Voted, &respAuthor, &respName, &respBody, &respHTML,
		&respCreated, &respUpdated, &created, &updated, &hiddenAt, &h.ByID, &h.ByName, &h.Reason)
	if err != nil {
		return nil, err
	}
	if hiddenAt.Valid {
		h.At = fromMS(hiddenAt.Int64)
		r.Hidden = &h
	}
	r.BodyHTML = template.HTML(body) // sanitized by markdown.Render when written
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	if respCreated.Valid {
		r.Response = &reviews.Response{AuthorID: respAuthor, AuthorName: respName, Body: respBody,
			BodyHTML: template.HTML(respHTML), CreatedAt: nullMS(respCreated), UpdatedAt: nullMS(respUpdated)}
	}
	return &r, nil
}

// Review implements reviews.Store.
func (db *DB) Review(ctx context.Context, id, viewerID string) (*reviews.Review, error) {
	r, err := scanReview(db.reader(ctx).QueryRowContext(ctx, reviewSelect+`WHERE r.id = ?`, viewerID, id))
	return r, notFound(err, reviews.ErrReviewNotFound)
}

// ReviewByAuthor implements reviews.Store.
func (db *DB) ReviewByAuthor(ctx context.Context, productID, authorID string) (*reviews.Review, error) {
	r, err := scanReview(db.reader(ctx).QueryRowContext(ctx, reviewSelect+`WHERE r.product_id = ? AND r.author_id = ?`, authorID, productID, authorID))
	return r, notFound(err, reviews.ErrReviewNotFound)
}

// reviewsQuery builds a page query. Every sort is keyset-paginated on an
// index that starts with the product (see the migration).
func reviewsQuery(q reviews.ReviewQuery) (string, []any) {
	where := []string{"r.product_id = ?", "r.hidden_at IS NULL"}
	args := []any{q.ViewerID, q.ProductID}
	if q.Stars != 0 {
		where = append(where, "r.rating = ?")
		args = append(args, q.Stars)
	}
	var order string
	switch q.Sort {
	case reviews.SortNewest:
		order = "r.id DESC"
		if q.After != nil {
			where = append(where, "r.id < ?")
			args = append(args, q.After.ID)
		}
	case reviews.SortHighest, reviews.SortLowest:
		cmp, dir := "<", "DESC"
		if q.Sort == reviews.SortLowest {
			cmp, dir = ">", "ASC"
		}
		order = "r.rating " + dir + ", r.id DESC"
		if q.Stars != 0 {
			order = "r.id DESC" // one rating: the index is already in id order
		}
		if q.After != nil {
			// The first term bounds the index range; the second skips ties already shown.
			where = append(where, "r.rating "+cmp+"= ? AND (r.rating "+cmp+" ? OR r.id < ?)")
			args = append(args, q.After.Key, q.After.Key, q.After.ID)
		}
	default: // most helpful
		order = "r.helpful DESC, r.id DESC"
		if q.After != nil {
			where = append(where, "r.helpful <= ? AND (r.helpful < ? OR r.id < ?)")
			args = append(args, q.After.Key, q.After.Key, q.After.ID)
		}
	}
	return reviewSelect + "WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT ?", append(args, q.Limit)
}

// Reviews implements reviews.Store.
func (db *DB) Reviews(ctx context.Context, q reviews.ReviewQuery) ([]*reviews.Review, error) {
	query, args := reviewsQuery(q)
	return queryAll(ctx, db.reader(ctx), scanReview, query, args...)
}

// SetResponse implements reviews.Store. The latest writer becomes the
// response's author; CreatedAt stays that of the first response.
func (db *DB) SetResponse(ctx context.Context, reviewID string, resp *reviews.Response) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if resp == nil {
			return execOne(ctx, tx, reviews.ErrReviewNotFound, `UPDATE reviews SET response_author_id = NULL, response_body = '', response_html = '',
				response_created_at = NULL, response_updated_at = NULL WHERE id = ?`, reviewID)
		}
		return execOne(ctx, tx, reviews.ErrReviewNotFound, `UPDATE reviews SET response_author_id = ?, response_body = ?, response_html = ?,
			response_created_at = COALESCE(response_created_at, ?), response_updated_at = ? WHERE id = ?`,
			resp.AuthorID, resp.Body, string(resp.BodyHTML), ms(resp.CreatedAt), ms(resp.UpdatedAt), reviewID)
	})
}

// loadReviewDoc is the search document of a review: hidden once deleted or
// when its product is archived (reviews.Review builds the document).
func loadReviewDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	r, p := reviews.Review{ID: id}, reviews.Product{}
	var created int64
	var hidden bool
	err := q.QueryRowContext(ctx, `SELECT r.title, r.body, r.author_id, u.name, r.product_id, p.slug, p.name, p.archived, r.created_at,
		r.hidden_at IS NOT NULL FROM reviews r JOIN users u ON u.id = r.author_id JOIN products p ON p.id = r.product_id WHERE r.id = ?`, id).
		Scan(&r.Title, &r.Body, &r.AuthorID, &r.AuthorName, &r.ProductID, &p.Slug, &p.Name, &p.Archived, &created, &hidden)
	if err == sql.ErrNoRows {
		return townhall.GoneDoc(townhall.KindReview, id), nil
	} else if err != nil {
		return nil, err
	}
	p.ID, r.CreatedAt = r.ProductID, fromMS(created)
	if hidden {
		r.Hidden = &reviews.Hidden{} // only whether it is hidden matters to search
	}
	return r.SearchDoc(&p), nil
}

// SetReviewHidden implements reviews.Store: the review's visibility and
// its product's aggregates change in one transaction.
func (db *DB) SetReviewHidden(ctx context.Context, id string, h *reviews.Hidden) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var productID string
		var rating int
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT product_id, rating, hidden_at IS NOT NULL FROM reviews WHERE id = ?`, id).Scan(&productID, &rating, &was)
		if err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		changed = was != (h != nil)
		if h == nil {
			if !changed {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `UPDATE reviews SET hidden_at = NULL, hidden_by = NULL, hidden_reason = '' WHERE id = ?`, id); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE reviews SET hidden_at = ?, hidden_by = NULLIF(?, ''), hidden_reason = ? WHERE id = ?`,
			ms(h.At), h.ByID, h.Reason, id); err != nil {
			return err
		}
		if !changed {
			return nil // a new note only
		}
		delta := 1
		if h != nil {
			delta = -1
		}
		if err := bumpRating(ctx, tx, productID, rating, delta); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindReview, id)
	})
	return changed, err
}
