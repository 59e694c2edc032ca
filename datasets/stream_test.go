package datasets

import (
	"context"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// TestStreamHandle checks that the duckdb-go in go.mod exposes the
// prepared statement handle that streaming needs (preparedOf), and that a
// streamed query returns the rows of the materialised one: an upgrade that
// moves the handle would otherwise fall back to the slower reader unseen.
func TestStreamHandle(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, DBConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds, err := db.stream.conn.PrepareContext(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, err := preparedOf(ds.(*duckdb.Stmt)); err != nil {
		t.Fatalf("preparedOf: %v", err)
	}
	const q = "SELECT CAST(i AS BIGINT) AS i FROM range(?) t(i)"
	var got int64
	rr, err := db.QueryArrowStream(ctx, q, 5000)
	if err != nil {
		t.Fatal(err)
	}
	for rr.Next() {
		got += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if got != 5000 {
		t.Fatalf("streamed %d rows, want 5000", got)
	}
}
