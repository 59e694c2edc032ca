package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
)

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = runMain(context.Background(), append([]string{"run"}, args...), &o, &e)
	return o.String(), e.String(), code
}

// handData writes the three-asset panel of the engine's hand-computed tests:
//
//	bar     0   1   2   3   4   5   6   7   8   9
//	AAA    10  11  12  12  15  12  12  13  14  14
//	BBB    20  20  22  22  22  24  30  30  27  27
//	CCC    50  50  50  55   (delisted after bar 3)
//
// buy_hold buys a third of each on bar 0; CCC is sold at 55 on bar 4, so
// V9 = (14/10 + 27/20 + 55/50)/3 = 3.85/3.
func handData(t *testing.T) string {
	t.Helper()
	A := []float64{10, 11, 12, 12, 15, 12, 12, 13, 14, 14}
	B := []float64{20, 20, 22, 22, 22, 24, 30, 30, 27, 27}
	C := []float64{50, 50, 50, 55}
	path := filepath.Join(t.TempDir(), "hand.parquet")
	w, err := tables.Create(path, []tables.Column{{Name: "date", Type: tables.Date}, {Name: "symbol", Type: tables.String}, {Name: "close", Type: tables.Float64}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 10; k++ {
		d := engine.DateOf(2024, 3, 4+k)
		row := func(sym string, x float64) {
			if err := w.Write([]any{d, sym, x}); err != nil {
				t.Fatal(err)
			}
		}
		row("AAA", A[k])
		row("BBB", B[k])
		if k < len(C) {
			row("CCC", C[k])
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunHandComputed(t *testing.T) {
	data := handData(t)
	out, stderr, code := runCmd(t, "buy_hold", "--data", data, "--format", "csv", "--benchmark", "BBB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range rows[1:] {
		got[r[0]], _ = strconv.ParseFloat(r[1], 64)
	}
	if math.Abs(got["total_return"]-(3.85/3-1)) > 1e-12 {
		t.Errorf("total_return %v, want %v", got["total_return"], 3.85/3-1)
	}
	if math.Abs(got["exposure"]-1) > 0 || got["max_drawdown_days"] != 2 {
		t.Errorf("exposure %v, max_drawdown_days %v", got["exposure"], got["max_drawdown_days"])
	}
	if len(got) != 16 {
		t.Errorf("%d metrics, want 16", len(got))
	}

	// The text table carries the conventions.
	out, _, code = runCmd(t, "buy_hold", "--data", data, "--cost-bps", "5", "--fill", "next-close")
	if code != 0 {
		t.Fatal(out)
	}
	for _, want := range []string{"total_return", "fill next-close", "cost 5 bps", "P = 252", "returns use close",
		"2024-03-04..2024-03-13", "cash earns 0", "benchmark: equal-weighted", "1 delisted"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunOut(t *testing.T) {
	data := handData(t)
	dir := t.TempDir()
	for _, ext := range []string{".csv", ".parquet"} {
		path := filepath.Join(dir, "run"+ext)
		_, stderr, code := runCmd(t, "buy_hold", "--data", data, "--out", path)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ext, code, stderr)
		}
		for _, f := range []string{path, filepath.Join(dir, "run.trades"+ext), filepath.Join(dir, "run.metrics"+ext), filepath.Join(dir, "run.weights"+ext)} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s not written: %v", f, err)
			}
		}
	}
	// The Parquet curve reads back with its types, rows and metadata.
	r, err := tables.Open(context.Background(), filepath.Join(dir, "run.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last []any
	for r.Next() {
		n++
		last = append(last[:0], r.Row()...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	meta, cols := r.Meta(), r.Columns()
	r.Close()
	if n != 10 || cols[0].Type != tables.Date || meta["strategy"] != "buy_hold" || meta["table"] != "curve" || !strings.Contains(meta["conventions"], "fill close") {
		t.Errorf("parquet curve: %d rows, columns %v, meta %v", n, cols, meta)
	}
	if v, ok := last[1].(float64); !ok || math.Abs(v-3.85/3) > 1e-12 {
		t.Errorf("parquet V9 = %v", last[1])
	}
	cur, err := os.ReadFile(filepath.Join(dir, "run.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(bytes.NewReader(cur)).ReadAll()
	if len(rows) != 11 || strings.Join(rows[0], ",") != "date,equity,return,cash_return,benchmark_return,drawdown" {
		t.Fatalf("curve:\n%s", cur)
	}
	if rows[10][0] != "2024-03-13" || rows[1][2] != "NaN" {
		t.Errorf("curve rows %v %v", rows[1], rows[10])
	}
	if v, _ := strconv.ParseFloat(rows[10][1], 64); math.Abs(v-3.85/3) > 1e-12 {
		t.Errorf("V9 = %v, want %v", v, 3.85/3)
	}
	tr, _ := os.ReadFile(filepath.Join(dir, "run.trades.csv"))
	if n := strings.Count(string(tr), "\n"); n != 4 { // header + 3 purchases on bar 0
		t.Errorf("trades:\n%s", tr)
	}

	wt, _ := os.ReadFile(filepath.Join(dir, "run.weights.csv"))
	if !strings.Contains(string(wt), "2024-03-04,0,CCC,0.333") {
		t.Errorf("weights:\n%s", wt)
	}

	// One JSON document.
	js := filepath.Join(dir, "run.json")
	if _, stderr, code := runCmd(t, "buy_hold", "--data", data, "--out", js); code != 0 {
		t.Fatal(stderr)
	}
	var doc struct {
		Strategy string
		Metrics  map[string]*float64
		Curve    []map[string]any
		Trades   []map[string]any
		Weights  []struct{ Weights map[string]float64 }
		Delist   int `json:"delistings"`
	}
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Strategy != "buy_hold" || len(doc.Curve) != 10 || len(doc.Trades) != 3 || doc.Delist != 1 {
		t.Errorf("json doc: %s", b)
	}
	if len(doc.Weights) != 1 || doc.Weights[0].Weights["AAA"] != 1.0/3 {
		t.Errorf("weights at trades: %+v", doc.Weights)
	}
	if doc.Curve[0]["return"] != nil {
		t.Errorf("return on bar 0 is %v, want null", doc.Curve[0]["return"])
	}

	// Per asset: one row per symbol.
	pa := filepath.Join(dir, "pa.csv")
	out, stderr, code := runCmd(t, "buy_hold", "--data", data, "--per-asset", "--format", "csv", "--out", pa)
	if code != 0 {
		t.Fatal(stderr)
	}
	if n := strings.Count(out, "\n"); n != 4 || !strings.HasPrefix(out, "symbol,total_return") {
		t.Errorf("per asset:\n%s", out)
	}
	if _, err := os.Stat(pa); err != nil {
		t.Error(err)
	}

	// No temporary file is left behind, and a failed write leaves nothing.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	missing := filepath.Join(dir, "no-such-dir", "run.csv")
	if _, _, code := runCmd(t, "buy_hold", "--data", data, "--out", missing); code != 1 {
		t.Errorf("unwritable --out: exit %d, want 1", code)
	}
}

func TestRunErrors(t *testing.T) {
	data := handData(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "one strategy"},
		{[]string{"nope"}, 2, "unknown strategy"},
		{[]string{"sma_cross", "--param", "fast"}, 2, "name=value"},
		{[]string{"sma_cross", "--param", "fast=x"}, 2, "fast"},
		{[]string{"sma_cross", "--param", "speed=3"}, 2, "speed"},
		{[]string{"sma_cross", "--param", "fast=3", "--param", "fast=4"}, 2, "twice"},
		{[]string{"buy_hold", "--fill", "open"}, 2, "close|next-close|next-open"},
		{[]string{"buy_hold", "--cost-bps", "-1"}, 2, "cost_bps"},
		{[]string{"buy_hold", "--max-leverage", "0"}, 2, "max_leverage"},
		{[]string{"buy_hold", "--periods-per-year", "0"}, 2, "periods_per_year"},
		{[]string{"buy_hold", "--format", "xml"}, 2, "format"},
		{[]string{"buy_hold", "--out", "x.xlsx"}, 2, ".json, .csv or .parquet"},
		{[]string{"buy_hold", "--data", data, "--benchmark", "SPY"}, 2, "SPY"},
		{[]string{"buy_hold", "--data", data, "--benchmark", "cap"}, 2, "shares_outstanding"},
		{[]string{"buy_hold", "--data", data, "--fill", "next-open"}, 1, "open"},
	} {
		_, stderr, code := runCmd(t, c.args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		last := lines[len(lines)-1]
		if code != c.code || !strings.Contains(last, c.want) || !strings.HasPrefix(last, "rotor: ") || strings.Count(stderr, "rotor: ") != 1 {
			t.Errorf("run %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func TestRunCheckCausal(t *testing.T) {
	_, stderr, code := runCmd(t, "sma_cross", "--param", "fast=2", "--param", "slow=4", "--data", handData(t), "--check-causal")
	if code != 0 || !strings.Contains(stderr, "causal check passed") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func TestRunHelp(t *testing.T) {
	out, _, code := runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "--benchmark") || !strings.Contains(out, "--out") || !strings.Contains(out, "--fill") {
		t.Errorf("help (exit %d):\n%s", code, out)
	}
	if n := strings.Count(out, "Usage: rotor run"); n != 1 {
		t.Errorf("usage printed %d times", n)
	}
}

// On the embedded sample: buy and hold of two stocks, no rates, no costs,
// equals the mean of their price relatives over the whole sample.
func TestRunSampleBuyHold(t *testing.T) {
	out, stderr, code := runCmd(t, "buy_hold", "--symbols", "AAPL,MSFT", "--rates", "none", "--format", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var doc struct {
		Rows []struct {
			Metric string   `json:"metric"`
			Value  *float64 `json:"value"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p, _, err := parseDataFlags(t, "--symbols", "AAPL,MSFT", "--rates", "none").load(context.Background(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i := 0; i < 2; i++ {
		s := p.Series(p.PriceField(), i)
		want += s[len(s)-1] / s[0] / 2
	}
	want--
	for _, r := range doc.Rows {
		if r.Metric == "total_return" {
			if r.Value == nil || math.Abs(*r.Value-want) > 1e-12*math.Abs(want) {
				t.Errorf("total_return %v, want %v", r.Value, want)
			}
			return
		}
	}
	t.Fatalf("no total_return in %s", out)
}

// The footer of a run carries the strategy's own notes: megacap_rotation
// on the sample (no share counts) says it ranks by the dollar-volume proxy.
func TestRunFooterHasStrategyNotes(t *testing.T) {
	out, errOut, code := runCmd(t, "megacap_rotation", "--param", "rebalance=quarterly")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"megacap_rotation: size: dollar-volume proxy", "events before the first bar, ignored"} {
		if !strings.Contains(out, want) {
			t.Errorf("footer lacks %q:\n%s", want, out)
		}
	}
}
