package datasets

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// DefaultMemoryLimit is DuckDB's memory limit unless the caller sets one.
const DefaultMemoryLimit = "2GB"

var memoryLimitRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)? ?([KMGT]i?B|B)$`)

// CheckMemoryLimit reports whether s is a DuckDB memory size such as
// 512MB, 2GB or 1.5GiB.
func CheckMemoryLimit(s string) error {
	if !memoryLimitRE.MatchString(s) {
		return fmt.Errorf("memory limit %q: want a size such as 512MB, 2GB or 1.5GiB", s)
	}
	return nil
}

// DBConfig sets up the DuckDB instance that reads the inputs.
type DBConfig struct {
	MemoryLimit string // e.g. "2GB"; "" = DefaultMemoryLimit
	TempDir     string // where DuckDB may spill; "" = a private directory removed on Close
	Threads     int    // 0 = one per CPU
	// Files and Dirs are the only paths DuckDB may touch (besides TempDir):
	// the input files and the output directory.
	Files []string
	Dirs  []string

	keepOrder bool // keep insertion order (writers)
}

func (c DBConfig) isZero() bool {
	return c.MemoryLimit == "" && c.TempDir == "" && c.Threads == 0 && len(c.Files) == 0 && len(c.Dirs) == 0 && !c.keepOrder
}

func (c DBConfig) same(d DBConfig) bool {
	return c.MemoryLimit == d.MemoryLimit && c.TempDir == d.TempDir && c.Threads == d.Threads &&
		slices.Equal(c.Files, d.Files) && slices.Equal(c.Dirs, d.Dirs) && c.keepOrder == d.keepOrder
}

// DB is one locked-down in-memory DuckDB connection: extension autoload
// and autoinstall off, external access limited to the configured files and
// directories, configuration locked. Not safe for concurrent use.
type DB struct {
	db      *sql.DB
	conn    *sql.Conn
	arrow   *duckdb.Arrow
	stream  *streamConn
	extra   []*DB // more connections to the same database, for parallel scans
	tempDir string
	ownTemp bool
}

// OpenDB opens a locked-down DuckDB connection.
func OpenDB(ctx context.Context, cfg DBConfig) (d *DB, err error) {
	d = &DB{tempDir: cfg.TempDir}
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()
	if d.tempDir == "" {
		if d.tempDir, err = os.MkdirTemp("", "rotor-duckdb-"); err != nil {
			return d, err
		}
		d.ownTemp = true
	} else if d.tempDir, err = filepath.Abs(d.tempDir); err != nil {
		return d, err
	}
	mem := cfg.MemoryLimit
	if mem == "" {
		mem = DefaultMemoryLimit
	}
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return d, err
	}
	d.db = sql.OpenDB(c)
	d.db.SetMaxOpenConns(maxConns)
	if d.conn, err = d.db.Conn(ctx); err != nil {
		return d, err
	}
	files, err := absAll(cfg.Files)
	if err != nil {
		return d, err
	}
	dirs, err := absAll(cfg.Dirs)
	if err != nil {
		return d, err
	}
	dirs = append(dirs, d.tempDir)
	set := []struct {
		q   string
		arg any
	}{
		{"SET memory_limit = ?", mem},
		{"SET temp_directory = ?", d.tempDir},
		{"SET autoload_known_extensions = false", nil},
		{"SET autoinstall_known_extensions = false", nil},
		{"SET preserve_insertion_order = ?", cfg.keepOrder},
		{"SET allowed_paths = ?", nonNil(files)},
		{"SET allowed_directories = ?", dirs},
		// Nothing of the files' content outlives a query, so each load
		// of a Dataset reads them as they are. (DuckDB's caches check a
		// file's size and modification time, which a rewrite within the
		// same second can leave unchanged.)
		{"SET enable_external_file_cache = false", nil},
		{"SET parquet_metadata_cache = false", nil},
		{"SET enable_external_access = false", nil},
		{"SET lock_configuration = true", nil},
	}
	if cfg.Threads > 0 {
		set = append([]struct {
			q   string
			arg any
		}{{"SET threads = ?", cfg.Threads}}, set...)
	}
	for _, s := range set {
		var args []any
		if s.arg != nil {
			args = []any{s.arg}
		}
		if _, err := d.conn.ExecContext(ctx, s.q, args...); err != nil {
			return d, fmt.Errorf("duckdb: %s: %w", s.q, err)
		}
	}
	d.arrow, d.stream, err = arrowOf(d.conn)
	return d, err
}

// maxConns bounds the connections of one DB (the first plus parallel scans).
const maxConns = 8

func arrowOf(conn *sql.Conn) (a *duckdb.Arrow, s *streamConn, err error) {
	err = conn.Raw(func(dc any) error {
		if a, err = duckdb.NewArrowFromConn(dc.(driver.Conn)); err != nil {
			return err
		}
		s, err = newStreamConn(dc.(driver.Conn))
		return err
	})
	return a, s, err
}

// Conn returns connection k of the database: 0 is d itself, others are
// further connections that share its (global, locked) configuration, for
// queries that run at the same time. Each is used by one goroutine.
func (d *DB) Conn(ctx context.Context, k int) (*DB, error) {
	if k == 0 {
		return d, nil
	}
	if k >= maxConns {
		return nil, fmt.Errorf("duckdb: connection %d of at most %d", k, maxConns)
	}
	for len(d.extra) < k {
		c, err := d.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		x := &DB{conn: c}
		if x.arrow, x.stream, err = arrowOf(c); err != nil {
			c.Close()
			return nil, err
		}
		d.extra = append(d.extra, x)
	}
	return d.extra[k-1], nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func absAll(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Close closes the connection and removes a private temp directory.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	var errs []error
	for _, x := range d.extra {
		errs = append(errs, x.conn.Close())
	}
	if d.conn != nil {
		errs = append(errs, d.conn.Close())
	}
	if d.db != nil {
		errs = append(errs, d.db.Close())
	}
	if d.ownTemp {
		errs = append(errs, os.RemoveAll(d.tempDir))
	}
	return errors.Join(errs...)
}

// closeLater removes a private temp directory now and closes the
// connections and the database on another goroutine: tearing an instance
// down after a large scan (freeing its buffers) takes about 10 ms that the
// caller need not wait for. Every query must be done and every reader
// released. Errors are dropped, as a deferred Close drops them.
func (d *DB) closeLater() {
	if d.ownTemp {
		os.RemoveAll(d.tempDir)
		d.ownTemp = false
	}
	go d.Close()
}

// Exec runs a statement with bound arguments.
func (d *DB) Exec(ctx context.Context, query string, args ...any) error {
	_, err := d.conn.ExecContext(ctx, query, args...)
	return err
}

// Query runs a query with bound arguments through database/sql (for small
// results).
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.conn.QueryContext(ctx, query, args...)
}

// QueryRow runs a one-row query.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return d.conn.QueryRowContext(ctx, query, args...)
}

// QueryArrow runs a query and returns its result as Arrow record batches of
// at most 2048 rows. The caller must Release the reader.
func (d *DB) QueryArrow(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	return d.arrow.QueryContext(ctx, query, args...)
}

// QueryArrowStream runs a query and streams its result as Arrow record
// batches of at most 2048 rows, each produced when asked for: the result is
// never held whole. The caller must Release the reader before running
// another query on d. Should the duckdb-go in use offer no statement handle
// to stream (see preparedOf), the result is read as QueryArrow reads it.
func (d *DB) QueryArrowStream(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	rr, err := d.stream.query(ctx, query, args...)
	if errors.Is(err, errNoStream) {
		return d.QueryArrow(ctx, query, args...)
	}
	return rr, err
}
