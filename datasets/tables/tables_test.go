package tables

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

var testCols = []Column{
	{"config_id", String},
	{"fast", Int64},
	{"weight", Float64},
	{"on", Bool},
	{"day", Date},
	{"sharpe", Float64},
}

func testRows(n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		sharpe := float64(i) / 7
		if i%5 == 3 {
			sharpe = math.NaN()
		}
		name := "c" + string(rune('a'+i%26))
		if i%11 == 4 {
			name = `he said "hi", then
left`
		}
		rows[i] = []any{name, int64(i - 3), 0.1 * float64(i), i%2 == 0, engine.Date(19000 + i), sharpe}
	}
	return rows
}

func sameCell(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	return reflect.DeepEqual(a, b)
}

func readAll(t *testing.T, path string) ([]Column, map[string]string, [][]any) {
	t.Helper()
	r, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [][]any
	for r.Next() {
		out = append(out, append([]any(nil), r.Row()...))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return r.Columns(), r.Meta(), out
}

// Every format round-trips values, NaN, quoting, dates and metadata, over
// more than one batch.
func TestRoundTrip(t *testing.T) {
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out"+ext)
			meta := map[string]string{"strategy": "sma_cross", "grid": "fast=5:50:5", "conventions": "P = 252 · 23 symbols × 1306 bars\nline 2"}
			w, err := Create(path, testCols, meta)
			if err != nil {
				t.Fatal(err)
			}
			rows := testRows(BatchRows + 123)
			for i, r := range rows {
				if i%2 == 0 {
					if err := w.Write(r); err != nil {
						t.Fatal(err)
					}
					continue
				}
				// typed path, columns set out of order
				check(t, w.SetFloat(5, r[5].(float64)))
				check(t, w.SetString(0, r[0].(string)))
				check(t, w.SetInt(1, r[1].(int64)))
				check(t, w.SetFloat(2, r[2].(float64)))
				check(t, w.SetBool(3, r[3].(bool)))
				check(t, w.SetDate(4, r[4].(engine.Date)))
				check(t, w.EndRow())
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("%s exists before Close", path)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			cols, gotMeta, got := readAll(t, path)
			if !reflect.DeepEqual(cols, testCols) {
				t.Fatalf("columns %v, want %v", cols, testCols)
			}
			for k, v := range meta {
				if gotMeta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, gotMeta[k], v)
				}
			}
			if len(got) != len(rows) {
				t.Fatalf("%d rows, want %d", len(got), len(rows))
			}
			for i := range rows {
				for j := range rows[i] {
					if !sameCell(got[i][j], rows[i][j]) {
						t.Fatalf("row %d col %s: got %#v, want %#v", i, testCols[j].Name, got[i][j], rows[i][j])
					}
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// NaN is written as SEMANTICS §4 says: CSV NaN, JSON null.
func TestNaNText(t *testing.T) {
	dir := t.TempDir()
	cols := []Column{{"id", String}, {"sharpe", Float64}}
	for ext, want := range map[string]string{
		".csv":   "id,sharpe\na,NaN\nb,1.5\n",
		".jsonl": "{\"id\":\"a\",\"sharpe\":null}\n{\"id\":\"b\",\"sharpe\":1.5}\n",
	} {
		path := filepath.Join(dir, "t"+ext)
		w, err := Create(path, cols, nil)
		check(t, err)
		check(t, w.Write([]any{"a", math.NaN()}))
		check(t, w.Write([]any{"b", 1.5}))
		check(t, w.Close())
		data, err := os.ReadFile(path)
		check(t, err)
		if string(data) != want {
			t.Errorf("%s:\n%s\nwant\n%s", ext, data, want)
		}
		if _, err := os.Stat(SidecarPath(path)); err != nil {
			t.Errorf("no sidecar: %v", err)
		}
	}
}

// Parquet stores NaN as NULL.
func TestParquetNaNIsNull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	w, err := Create(path, []Column{{"x", Float64}}, nil)
	check(t, err)
	check(t, w.Write([]any{math.NaN()}))
	check(t, w.Write([]any{2.0}))
	check(t, w.Close())
	db, err := openDB(context.Background(), path)
	check(t, err)
	defer db.Close()
	var nulls, n int
	check(t, db.QueryRow(context.Background(), "SELECT count(*) FILTER (WHERE x IS NULL), count(*) FROM read_parquet(?)", path).Scan(&nulls, &n))
	if nulls != 1 || n != 2 {
		t.Fatalf("nulls=%d rows=%d, want 1 of 2", nulls, n)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "t"+ext)
		w, err := Create(path, testCols, nil)
		check(t, err)
		for _, r := range testRows(10) {
			check(t, w.Write(r))
		}
		check(t, w.Abort())
		entries, _ := os.ReadDir(dir)
		if len(entries) != 0 {
			t.Errorf("%s: Abort left %v", ext, entries)
		}
	}
}

func TestEmptyTable(t *testing.T) {
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		path := filepath.Join(t.TempDir(), "t"+ext)
		w, err := Create(path, testCols, map[string]string{"k": "v"})
		check(t, err)
		check(t, w.Close())
		cols, meta, rows := readAll(t, path)
		if len(rows) != 0 || !reflect.DeepEqual(cols, testCols) || meta["k"] != "v" {
			t.Errorf("%s: cols %v meta %v rows %d", ext, cols, meta, len(rows))
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"extension", func() error { _, err := Create(filepath.Join(dir, "x.txt"), testCols, nil); return err }, "unknown table format"},
		{"no columns", func() error { _, err := Create(filepath.Join(dir, "x.csv"), nil, nil); return err }, "no columns"},
		{"duplicate column", func() error {
			_, err := Create(filepath.Join(dir, "x.csv"), []Column{{"a", Int64}, {"a", Int64}}, nil)
			return err
		}, "appears twice"},
		{"missing dir", func() error { _, err := Create(filepath.Join(dir, "no", "x.csv"), testCols, nil); return err }, "create"},
		{"row length", func() error {
			w, _ := Create(filepath.Join(dir, "y.csv"), testCols, nil)
			defer w.Abort()
			return w.Write([]any{"a"})
		}, "has 1 values, want 6"},
		{"type", func() error {
			w, _ := Create(filepath.Join(dir, "y.csv"), testCols, nil)
			defer w.Abort()
			return w.Write([]any{"a", "five", 1.0, true, engine.Date(1), 1.0})
		}, `column "fast": string value five is not a int64`},
		{"unset column", func() error {
			w, _ := Create(filepath.Join(dir, "y.csv"), testCols, nil)
			defer w.Abort()
			w.SetString(0, "a")
			return w.EndRow()
		}, `column "fast" not set`},
		{"read missing", func() error { _, err := Open(context.Background(), filepath.Join(dir, "none.parquet")); return err }, "no such file"},
		{"read garbage", func() error {
			p := filepath.Join(dir, "bad.parquet")
			os.WriteFile(p, []byte("not parquet"), 0o644)
			_, err := Open(context.Background(), p)
			return err
		}, "bad.parquet"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// A failed row does not leave half a row behind.
func TestWriteErrorKeepsTableValid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	w, err := Create(path, testCols, nil)
	check(t, err)
	rows := testRows(3)
	check(t, w.Write(rows[0]))
	if err := w.Write([]any{"x", int64(1), "bad", true, engine.Date(1), 1.0}); err == nil {
		t.Fatal("bad row accepted")
	}
	check(t, w.Write(rows[1]))
	check(t, w.Close())
	_, _, got := readAll(t, path)
	if len(got) != 2 || got[1][0] != rows[1][0] {
		t.Fatalf("got %v", got)
	}
}

// Relative paths are read (DuckDB is allowed exactly the absolute file).
func TestRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, name := range []string{"r.parquet", "r.csv"} {
		w, err := Create(name, testCols, map[string]string{"k": "v"})
		check(t, err)
		for _, r := range testRows(3) {
			check(t, w.Write(r))
		}
		check(t, w.Close())
		_, meta, rows := readAll(t, name)
		if len(rows) != 3 || meta["k"] != "v" {
			t.Errorf("%s: %d rows, meta %v", name, len(rows), meta)
		}
	}
}

// Top ranks in DuckDB: NaN never ranks, ties go by config_id.
func TestTop(t *testing.T) {
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		path := filepath.Join(t.TempDir(), "t"+ext)
		w, err := Create(path, []Column{{"config_id", String}, {"sharpe", Float64}, {"fast", Int64}}, nil)
		check(t, err)
		for _, r := range [][]any{{"b", 1.0, 1}, {"a", 1.0, 2}, {"c", math.NaN(), 3}, {"d", 3.0, 4}, {"e", -2.0, 5}} {
			check(t, w.Write(r))
		}
		check(t, w.Close())
		ids := func(by string, n int, asc bool) string {
			r, err := Top(context.Background(), path, by, n, asc)
			check(t, err)
			defer r.Close()
			var s []string
			for r.Next() {
				s = append(s, r.Row()[0].(string))
			}
			check(t, r.Err())
			return strings.Join(s, " ")
		}
		if got := ids("sharpe", 3, false); got != "d a b" {
			t.Errorf("%s: top 3 by sharpe = %q, want d a b", ext, got)
		}
		if got := ids("sharpe", 10, true); got != "e a b d" {
			t.Errorf("%s: ascending = %q, want e a b d", ext, got)
		}
		if got := ids("fast", 2, false); got != "e d" {
			t.Errorf("%s: by fast = %q", ext, got)
		}
		if _, err := Top(context.Background(), path, "config_id", 3, false); err == nil || !strings.Contains(err.Error(), `no numeric column "config_id" to rank by (numeric columns: sharpe, fast)`) {
			t.Errorf("%s: rank by text: %v", ext, err)
		}
		if _, err := Top(context.Background(), path, `x" OR 1=1 --`, 3, false); err == nil {
			t.Errorf("%s: unknown column accepted", ext)
		}
	}
}
