package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall/forum"
)

const categoryCols = `id, slug, name, description, position, questions, threads, created_at`

func scanCategory(row scanner) (*forum.Category, error) {
	var c forum.Category
	var created int64
	if err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position, &c.Questions, &c.Threads, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// ForumCategories implements forum.Store.
func (db *DB) ForumCategories(ctx context.Context) ([]*forum.Category, error) {
	return queryAll(ctx, db.reader(ctx), scanCategory, `SELECT `+categoryCols+` FROM forum_categories ORDER BY position, name`)
}

// ForumCategory implements forum.Store.
func (db *DB) ForumCategory(ctx context.Context, ref string) (*forum.Category, error) {
	c, err := scanCategory(db.reader(ctx).QueryRowContext(ctx, `SELECT `+categoryCols+` FROM forum_categories WHERE id = ?
		UNION ALL SELECT `+categoryCols+` FROM forum_categories WHERE slug = ? LIMIT 1`, ref, ref))
	return c, notFound(err, forum.ErrCategoryNotFound)
}

// SaveForumCategory implements forum.Store.
func (db *DB) SaveForumCategory(ctx context.Context, c *forum.Category) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var oldSlug string
		if err := tx.QueryRowContext(ctx, `SELECT slug FROM forum_categories WHERE id = ?`, c.ID).Scan(&oldSlug); err != nil && err != sql.ErrNoRows {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_categories(id, slug, name, description, position, questions, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET slug = excluded.slug, name = excluded.name, description = excluded.description,
				position = excluded.position, questions = excluded.questions`,
			c.ID, c.Slug, c.Name, c.Description, c.Position, boolInt(c.Questions), ms(c.CreatedAt))
		if err != nil || oldSlug == "" || oldSlug == c.Slug {
			return err
		}
		// Thread and post documents carry the category slug.
		return db.recordThreadTree(ctx, tx, `SELECT id FROM forum_threads WHERE category_id = ?`, c.ID)
	})
	if isUnique(err) {
		return forum.ErrSlugTaken(c.Slug).WithCause(err)
	}
	return err
}
