package datasets

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

func TestLoadCSV(t *testing.T) {
	ctx := context.Background()
	p, info, err := Load(ctx, LoadOptions{Paths: []string{"testdata/good/prices.csv"}, Rates: "testdata/good/rates.csv"})
	if err != nil {
		t.Fatal(err)
	}
	// Dates: the union (2024-01-02..05), symbols sorted; missing cells NaN.
	if p.T() != 4 || p.N() != 2 || p.Symbols[0] != "AAA" || p.Dates[3] != engine.DateOf(2024, 1, 5) {
		t.Fatalf("panel %v %v", p.Dates, p.Symbols)
	}
	if got := p.At(engine.Close, 2, 0); got != 11.2 {
		t.Errorf("AAA close on 2024-01-04 = %v, want 11.2", got)
	}
	if got := p.At(engine.Close, 2, 1); !math.IsNaN(got) {
		t.Errorf("BBB close on 2024-01-04 = %v, want NaN (no row)", got)
	}
	if got := p.At(engine.Volume, 1, 1); got != 2500 {
		t.Errorf("BBB volume on 2024-01-03 = %v", got)
	}
	if info.PriceField != engine.AdjClose || info.Rows != 6 || info.Missing != 2 {
		t.Errorf("info %+v", info)
	}
	// Rates forward-filled: 5.5 from 2023-12-01, 5.25 from 2024-01-03.
	want := []float64{5.5, 5.25, 5.25, 5.25}
	for k, v := range p.RatePct() {
		if v != want[k] {
			t.Errorf("rate on bar %d = %v, want %v", k, v, want[k])
		}
	}
	if info.RatesColumn != RatesColumn {
		t.Errorf("rates column %q", info.RatesColumn)
	}
}

func TestLoadCloseOnlyAndMapping(t *testing.T) {
	ctx := context.Background()
	p, info, err := Load(ctx, LoadOptions{Paths: []string{"testdata/good/close_only.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.PriceField != engine.Close || !strings.Contains(strings.Join(info.Notes, "\n"), "returns use close") {
		t.Errorf("price field %s, notes %q", info.PriceField, info.Notes)
	}
	if p.Has(engine.Open) || !p.Has(engine.Close) {
		t.Error("fields")
	}
	// Mapped names, another rates column name.
	dir := t.TempDir()
	f := filepath.Join(dir, "yahoo.csv")
	os.WriteFile(f, []byte("Date,Ticker,Close,Adj Close\n2024-01-02,X,10,9\n2024-01-03,X,11,10\n"), 0o644)
	r := filepath.Join(dir, "ff.csv")
	os.WriteFile(r, []byte("date,target_rate_pct\n2024-01-01,4\n"), 0o644)
	p, info, err = Load(ctx, LoadOptions{Paths: []string{f}, Rates: r, Columns: map[string]string{"symbol": "Ticker", "adj_close": "Adj Close"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.At(engine.AdjClose, 1, 0) != 10 || p.At(engine.Close, 1, 0) != 11 || info.Columns["adj_close"] != "Adj Close" || info.Columns["symbol"] != "Ticker" {
		t.Errorf("mapped load: %v %v %v", p.At(engine.AdjClose, 1, 0), p.At(engine.Close, 1, 0), info.Columns)
	}
	if info.RatesColumn != "target_rate_pct" || p.RatePct()[0] != 4 {
		t.Errorf("rates column %q, rate %v", info.RatesColumn, p.RatePct())
	}
}

// synthFile writes a synthetic market to dir and returns the file.
func synthFile(t *testing.T, dir string, cfg synth.Config) (string, *synth.Market) {
	t.Helper()
	m, err := synth.GenerateMarket(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "prices.parquet")
	if err := WritePanel(context.Background(), m.Panel, f, DBConfig{}); err != nil {
		t.Fatal(err)
	}
	return f, m
}

// A date range and a symbol list are pushed into the Parquet scan: the
// scan itself emits only the matching rows (EXPLAIN ANALYZE), and the
// panel holds exactly them.
func TestPushdown(t *testing.T) {
	ctx := context.Background()
	f, m := synthFile(t, t.TempDir(), synth.Config{Symbols: 50, Days: 1000, Seed: 4, NoLifecycle: true})
	from, to := m.Panel.Dates[100], m.Panel.Dates[199]
	opt := LoadOptions{Paths: []string{f}, From: &from, To: &to, Symbols: []string{"S0003", "S0017", "S0042"}}
	p, info, err := Load(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	if p.T() != 100 || p.N() != 3 || info.Rows != 300 {
		t.Fatalf("loaded %d×%d, %d rows; want 100×3, 300", p.T(), p.N(), info.Rows)
	}
	samePanels(t, m.Panel.Slice(100, 200).Asset(2), p.Asset(0))

	in, _ := expandInputs(opt.Paths)
	db, err := OpenDB(ctx, DBConfig{Files: in.files})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols, _ := describe(ctx, db, absFiles(in.files)[0], in.format, false)
	mp, _ := resolve(f, cols, nil, true)
	src := selection(in, mp, nil, []engine.Field{engine.Close}, opt, nil)
	var plan strings.Builder
	rows, err := db.Query(ctx, "EXPLAIN ANALYZE "+src.sql, src.args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		rows.Scan(&k, &v)
		plan.WriteString(v)
	}
	rows.Close()
	// The date range is a filter of the scan itself: the scan emits only
	// the 100 days × 50 symbols of the range (row groups outside it are
	// skipped), not the file's 50,000 rows. The symbol list is pushed into
	// the scan as an optional zone-map filter and applied right above it:
	// 300 rows leave the FILTER, and rotor receives exactly those.
	rowsOf := func(op string) int {
		m := regexp.MustCompile(`(?s)` + op + `.*?(\d[\d,]*) rows`).FindStringSubmatch(plan.String())
		if m == nil {
			t.Fatalf("no %s operator in plan:\n%s", op, plan.String())
		}
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		return n
	}
	n, filtered := rowsOf("TABLE_SCAN"), rowsOf("│ +FILTER")
	if n != 100*50 || filtered != 300 {
		t.Errorf("scan emitted %d rows, filter %d; want 5000 and 300:\n%s", n, filtered, plan.String())
	}
	if !strings.Contains(plan.String(), "date>=") || !strings.Contains(plan.String(), "optional: symbol IN") {
		t.Errorf("filters not pushed into the scan:\n%s", plan.String())
	}
	t.Logf("scan emitted %d of %d rows, %d after the symbol filter", n, 50*1000, filtered)
}

// DuckDB may read exactly the inputs: any other path fails with a
// permission error, and the configuration cannot be changed.
func TestLockdown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte("date,symbol,close\n2024-01-02,A,1\n"), 0o644)
	allowed := "testdata/good/prices.csv"
	db, err := OpenDB(ctx, DBConfig{Files: []string{allowed}, Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	abs, _ := filepath.Abs(allowed)
	if err := db.QueryRow(ctx, "SELECT count(*) FROM read_csv(?)", []string{abs}).Scan(&n); err != nil || n != 6 {
		t.Fatalf("allowed file: %d rows, %v", n, err)
	}
	for _, q := range []struct {
		sql string
		arg any
	}{
		{"SELECT count(*) FROM read_csv(?)", []string{other}},
		{"SELECT count(*) FROM read_csv(?)", []string{"/etc/passwd"}},
		{"SELECT count(*) FROM read_text(?)", []string{"/etc/hostname"}},
		{"COPY (SELECT 1) TO ? (FORMAT csv)", filepath.Join(filepath.Dir(other), "out.csv")},
	} {
		err := db.QueryRow(ctx, q.sql, q.arg).Scan(&n)
		if err == nil || !strings.Contains(err.Error(), "Permission Error") {
			t.Errorf("%s %v: %v; want a permission error", q.sql, q.arg, err)
		}
	}
	if err := db.Exec(ctx, "COPY (SELECT 1 AS x) TO ? (FORMAT csv)", filepath.Join(dir, "ok.csv")); err != nil {
		t.Errorf("output directory not writable: %v", err)
	}
	for _, q := range []string{"SET enable_external_access = true", "SET allowed_directories = ['/']", "SET memory_limit = '100GB'", "INSTALL httpfs", "LOAD httpfs"} {
		if err := db.Exec(ctx, q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Load(ctx, LoadOptions{Paths: []string{"testdata/good/prices.csv"}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v; want context.Canceled", err)
	}
}

// A directory of hive partitions (symbol=X/…) loads like one table, the
// partition key supplying the symbol column.
func TestLoadHiveDirectory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := OpenDB(ctx, DBConfig{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"AAA", "BBB"} {
		os.MkdirAll(filepath.Join(dir, "symbol="+s), 0o755)
		err := db.Exec(ctx, "COPY (SELECT DATE '2024-01-02' + CAST(i AS INTEGER) AS date, 10.0 + i AS close FROM range(3) t(i)) TO ? (FORMAT parquet)", filepath.Join(dir, "symbol="+s, "part.parquet"))
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	p, info, err := Load(ctx, LoadOptions{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if p.N() != 2 || p.T() != 3 || info.Rows != 6 || len(info.Files) != 2 || p.At(engine.Close, 2, 1) != 12 {
		t.Errorf("hive load: %v %d bars, %d rows, files %v", p.Symbols, p.T(), info.Rows, info.Files)
	}
}

func TestLoadFields(t *testing.T) {
	ctx := context.Background()
	p, info, err := Load(ctx, LoadOptions{Paths: []string{"testdata/good/prices.csv"}, Fields: []engine.Field{engine.AdjClose, engine.Volume, engine.Shares}})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Has(engine.AdjClose) || !p.Has(engine.Volume) || p.Has(engine.Close) || p.Has(engine.Shares) || len(info.Fields) != 2 {
		t.Errorf("fields %v", info.Fields)
	}
	_, _, err = Load(ctx, LoadOptions{Paths: []string{"testdata/good/prices.csv"}, Fields: []engine.Field{engine.Volume}})
	var e *Error
	if !errors.As(err, &e) || e.Rule != RuleMissingColumn {
		t.Errorf("volume alone: %v", err)
	}
}

// A file split into runs of row groups (rows in file order or shuffled)
// and into bar ranges loads the same panel; a row repeated in two row
// groups read by different parts is a duplicate.
func TestLoadParts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, m := synthFile(t, dir, synth.Config{Symbols: 40, Days: 1500, Seed: 5})
	defer func(r, c int) { partRows, splitCells = r, c }(partRows, splitCells)
	partRows, splitCells = 8000, 0
	sorted, shuffled, dup := filepath.Join(dir, "sorted.parquet"), filepath.Join(dir, "shuffled.parquet"), filepath.Join(dir, "dup.parquet")
	db, err := OpenDB(ctx, DBConfig{Files: []string{f}, Dirs: []string{dir}, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ sql, out string }{
		{"COPY (SELECT * FROM read_parquet($1)) TO $2 (FORMAT parquet, ROW_GROUP_SIZE 4096)", sorted},
		{"COPY (SELECT * FROM read_parquet($1) ORDER BY hash(symbol, date)) TO $2 (FORMAT parquet, ROW_GROUP_SIZE 4096)", shuffled},
		{"COPY (SELECT * FROM read_parquet($1) UNION ALL (SELECT * FROM read_parquet($1) WHERE symbol = 'S0007' ORDER BY date LIMIT 1)) TO $2 (FORMAT parquet, ROW_GROUP_SIZE 4096)", dup},
	} {
		if err := db.Exec(ctx, q.sql, f, q.out); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, file := range []string{sorted, shuffled} {
		in, _ := expandInputs([]string{file})
		db, err := OpenDB(ctx, DBConfig{Files: in.files})
		if err != nil {
			t.Fatal(err)
		}
		groups, err := rowGroups(ctx, db, in.files[0])
		db.Close()
		parts := planParts(true, groups, m.Panel.T(), m.Panel.N())
		if err != nil || len(parts) < 4 || parts[0].rows == nil {
			t.Fatalf("%s: parts %v, %v; want runs of row groups", file, parts, err)
		}
		p, _, err := Load(ctx, LoadOptions{Paths: []string{file}})
		if err != nil {
			t.Fatal(err)
		}
		samePanels(t, m.Panel, p)
	}
	forceWorkers, forceParts = 2, 7
	p, _, err := Load(ctx, LoadOptions{Paths: []string{shuffled}})
	forceWorkers, forceParts = 0, 0
	if err != nil {
		t.Fatal(err)
	}
	samePanels(t, m.Panel, p)
	// Rows keyed by a join with the symbol list (symbols sharing a hash).
	symbolJoin = true
	p, _, err = Load(ctx, LoadOptions{Paths: []string{shuffled}})
	symbolJoin = false
	if err != nil {
		t.Fatal(err)
	}
	samePanels(t, m.Panel, p)

	_, _, err = Load(ctx, LoadOptions{Paths: []string{dup}})
	var e *Error
	if !errors.As(err, &e) || e.Rule != RuleDuplicate || !strings.Contains(e.Key, "S0007") {
		t.Fatalf("row repeated in another row group: %v; want a duplicate row error", err)
	}
}
