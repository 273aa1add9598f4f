package sqlite

import "fmt"

// schemaVersion is kept in PRAGMA user_version so a later change of the
// schema can tell which files it must migrate. Version 2 added the listing
// tables, doc_keys and doc_counts.
const schemaVersion = 2

// The schema. Created is kept as Unix seconds plus nanoseconds rather than a
// single nanosecond count so that every time.Time, the zero one included,
// round-trips and sorts exactly. data is the last column so that a row whose
// Data spills onto overflow pages is only read that far when Data is asked
// for.
//
// Listings read doc_keys, which files every document on the lists a
// store.Query can ask for (as the memory store's listKey does): one row for its kind
// (key and value empty) and one per Index entry with a value, each ordered
// by merchant and creation. Only the rows of a page are joined to docs.
// doc_counts keeps how many rows each list of one merchant has, by day of
// creation, so that a listing's total is a sum over the days it spans.
// Triggers keep both in step with docs, whatever statement writes it.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS docs (
		kind       TEXT    NOT NULL,
		id         TEXT    NOT NULL,
		merchant   TEXT    NOT NULL,
		created_s  INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		idx        TEXT,
		data       BLOB,
		PRIMARY KEY (kind, id)
	)`,
	`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`,
	// Version 1 listed from these, filtering Index entries row by row.
	`DROP INDEX IF EXISTS docs_by_merchant`,
	`DROP INDEX IF EXISTS docs_by_kind`,
	`CREATE TABLE IF NOT EXISTS doc_keys (
		kind       TEXT    NOT NULL,
		id         TEXT    NOT NULL,
		key        TEXT    NOT NULL,
		value      TEXT    NOT NULL,
		merchant   TEXT    NOT NULL,
		created_s  INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		PRIMARY KEY (kind, id, key, value)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS doc_keys_by_merchant ON doc_keys (kind, merchant, key, value, created_s, created_ns, seq)`,
	`CREATE INDEX IF NOT EXISTS doc_keys_by_kind ON doc_keys (kind, key, value, created_s, created_ns, seq)`,
	`CREATE TABLE IF NOT EXISTS doc_counts (
		kind     TEXT    NOT NULL,
		merchant TEXT    NOT NULL,
		key      TEXT    NOT NULL,
		value    TEXT    NOT NULL,
		day      INTEGER NOT NULL,
		n        INTEGER NOT NULL,
		PRIMARY KEY (kind, merchant, key, value, day)
	) WITHOUT ROWID`,
	`CREATE TRIGGER IF NOT EXISTS docs_filed AFTER INSERT ON docs BEGIN ` + fileNew + ` END`,
	`CREATE TRIGGER IF NOT EXISTS docs_refiled AFTER UPDATE ON docs
	WHEN old.merchant IS NOT new.merchant OR old.created_s IS NOT new.created_s
		OR old.created_ns IS NOT new.created_ns OR old.seq IS NOT new.seq OR old.idx IS NOT new.idx
	BEGIN ` + unfileOld + fileNew + ` END`,
	`CREATE TRIGGER IF NOT EXISTS docs_unfiled AFTER DELETE ON docs BEGIN ` + unfileOld + ` END`,
	`CREATE TRIGGER IF NOT EXISTS doc_keys_counted AFTER INSERT ON doc_keys BEGIN
		INSERT INTO doc_counts VALUES (new.kind, new.merchant, new.key, new.value, ` + dayOf("new.created_s") + `, 1)
			ON CONFLICT DO UPDATE SET n = n + 1;
	END`,
	`CREATE TRIGGER IF NOT EXISTS doc_keys_uncounted AFTER DELETE ON doc_keys BEGIN
		UPDATE doc_counts SET n = n - 1 WHERE kind = old.kind AND merchant = old.merchant
			AND key = old.key AND value = old.value AND day = ` + dayOf("old.created_s") + `;
		DELETE FROM doc_counts WHERE kind = old.kind AND merchant = old.merchant
			AND key = old.key AND value = old.value AND day = ` + dayOf("old.created_s") + ` AND n = 0;
	END`,
}

// day is the span doc_counts counts by: a UTC day, in seconds.
const day = 24 * 60 * 60

// dayOf is the SQL for the start of the day of a time in Unix seconds,
// rounded down as dayStart does.
func dayOf(sec string) string {
	return fmt.Sprintf("(%[1]s - (%[1]s %% %[2]d + %[2]d) %% %[2]d)", sec, day)
}

// dayStart is the start of the day of sec, in Unix seconds.
func dayStart(sec int64) int64 { return sec - (sec%day+day)%day }

// The bodies of the triggers that file a document on doc_keys.
const (
	fileNew = `
		INSERT INTO doc_keys VALUES (new.kind, new.id, '', '', new.merchant, new.created_s, new.created_ns, new.seq);
		INSERT INTO doc_keys SELECT new.kind, new.id, j.key, j.value, new.merchant, new.created_s, new.created_ns, new.seq
			FROM json_each(new.idx) AS j WHERE j.value <> '';`
	unfileOld = `
		DELETE FROM doc_keys WHERE kind = old.kind AND id = old.id;`
)

// migrations[v] brings a file written at schema version v-1 to v, once the
// schema above is in place.
var migrations = map[int][]string{
	// Version 1 had no doc_keys: file what it stored.
	2: {
		`INSERT INTO doc_keys SELECT kind, id, '', '', merchant, created_s, created_ns, seq FROM docs`,
		`INSERT INTO doc_keys SELECT d.kind, d.id, j.key, j.value, d.merchant, d.created_s, d.created_ns, d.seq
			FROM docs AS d, json_each(d.idx) AS j WHERE j.value <> ''`,
	},
}
