package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

const productCols = `id, slug, name, description, description_html, image_url, archived,
	rating_count, rating_sum, stars1, stars2, stars3, stars4, stars5, created_at, updated_at`

func scanProduct(row scanner) (*reviews.Product, error) {
	var p reviews.Product
	var html string
	var created, updated int64
	h := &p.Rating.Histogram
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &html, &p.ImageURL, &p.Archived,
		&p.Rating.Count, &p.Rating.Sum, &h[0], &h[1], &h[2], &h[3], &h[4], &created, &updated)
	if err != nil {
		return nil, err
	}
	p.DescriptionHTML = template.HTML(html) // sanitized by markdown.Render when written
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// CreateProduct implements reviews.Store.
func (db *DB) CreateProduct(ctx context.Context, p *reviews.Product) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO products(id, slug, name, description, description_html, image_url, archived, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Slug, p.Name, p.Description, string(p.DescriptionHTML), p.ImageURL,
			boolInt(p.Archived), ms(p.CreatedAt), ms(p.UpdatedAt))
		return err
	})
	if isUnique(err) {
		return reviews.ErrSlugTaken(p.Slug).WithCause(err)
	}
	return err
}

// UpdateProduct implements reviews.Store.
func (db *DB) UpdateProduct(ctx context.Context, p *reviews.Product) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var slug, name string
		var archived bool
		err := tx.QueryRowContext(ctx, `SELECT slug, name, archived FROM products WHERE id = ?`, p.ID).Scan(&slug, &name, &archived)
		if err != nil {
			return notFound(err, reviews.ErrProductNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET slug = ?, name = ?, description = ?, description_html = ?,
			image_url = ?, archived = ?, updated_at = ? WHERE id = ?`, p.Slug, p.Name, p.Description, string(p.DescriptionHTML),
			p.ImageURL, boolInt(p.Archived), ms(p.UpdatedAt), p.ID); err != nil {
			return err
		}
		if slug == p.Slug && name == p.Name && archived == p.Archived {
			return nil
		}
		// Review documents carry the product's name, slug (category and URL)
		// and visibility: every one of them changed with it.
		_, err = tx.ExecContext(ctx, `INSERT INTO changes(kind, entity_id, at)
			SELECT ?, id, ? FROM reviews WHERE product_id = ? ORDER BY id`, townhall.KindReview, ms(db.now()), p.ID)
		return err
	})
	if isUnique(err) {
		return reviews.ErrSlugTaken(p.Slug).WithCause(err)
	}
	return err
}

// Product implements reviews.Store.
func (db *DB) Product(ctx context.Context, id string) (*reviews.Product, error) {
	p, err := scanProduct(db.reader(ctx).QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE id = ?`, id))
	return p, notFound(err, reviews.ErrProductNotFound)
}

// ProductBySlug implements reviews.Store.
func (db *DB) ProductBySlug(ctx context.Context, slug string) (*reviews.Product, error) {
	p, err := scanProduct(db.reader(ctx).QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE slug = ?`, slug))
	return p, notFound(err, reviews.ErrProductNotFound)
}

// productsQuery builds the listing query; each shape has its own index.
func productsQuery(q reviews.ProductQuery) (string, []any) {
	var where []string
	var args []any
	if !q.IncludeArchived {
		where = append(where, "archived = 0")
	}
	if q.AfterID != "" {
		where = append(where, "(name > ? COLLATE NOCASE OR (name = ? COLLATE NOCASE AND id > ?))")
		args = append(args, q.AfterName, q.AfterName, q.AfterID)
	}
	s := `SELECT ` + productCols + ` FROM products`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	return s + " ORDER BY name COLLATE NOCASE, id LIMIT ?", append(args, q.Limit)
}

// Products implements reviews.Store.
func (db *DB) Products(ctx context.Context, q reviews.ProductQuery) ([]*reviews.Product, error) {
	query, args := productsQuery(q)
	return queryAll(ctx, db.reader(ctx), scanProduct, query, args...)
}

// bumpRating adds (delta 1) or removes (delta -1) one rating from a
// product's aggregates.
func bumpRating(ctx context.Context, tx *sql.Tx, productID string, rating, delta int) error {
	if rating < 1 || rating > 5 {
		return fmt.Errorf("rating %d out of range", rating)
	}
	return execOne(ctx, tx, reviews.ErrProductNotFound, fmt.Sprintf(`UPDATE products SET rating_count = rating_count + ?,
		rating_sum = rating_sum + ?, stars%d = stars%d + ? WHERE id = ?`, rating, rating),
		delta, delta*rating, delta, productID)
}
