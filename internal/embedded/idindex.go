package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// FerretDB v1 on SQLite answers a find by a bare _id with
// "WHERE _ferretdb_sjson->'$._id' = ?", but creates the unique _id index on
// the expression _ferretdb_sjson->"_id". SQLite uses an expression index
// only for the same expression, so every read by _id scans the table and
// stops at the first match: measured 7 ms for an early _id and 35 ms for
// the last of 6,000 calls, growing with the collection (it made the
// hotline's caller history take 1.6 s at 30,000 calls). IndexIDs adds an
// index on exactly the expression FerretDB queries with, to every
// collection table of the database. FerretDB does not know of these
// indexes (they are not in its metadata) and does not need to: SQLite's
// planner picks them, and dropping a collection drops its table and them.

// IndexIDs creates the missing _id lookup indexes in database db. It is
// idempotent and cheap when nothing is missing; call it after collections
// are created (the app calls it at start and on its refresh loop).
func (m *Mongo) IndexIDs(ctx context.Context, db string) (int, error) {
	path := filepath.Join(m.dir, db+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return 0, nil // no collection yet
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
	if err != nil {
		return 0, fmt.Errorf("embedded mongo: open %s: %w", path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM "_ferretdb_collections"`)
	if err != nil {
		return 0, fmt.Errorf("embedded mongo: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	made := 0
	for _, t := range tables {
		idx := t + "_civicdesk_id"
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, idx).Scan(&n); err != nil {
			return made, err
		}
		if n > 0 {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, idx, t)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return made, fmt.Errorf("embedded mongo: index %s: %w", t, err)
		}
		made++
	}
	return made, nil
}
