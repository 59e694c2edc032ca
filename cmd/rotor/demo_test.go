package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

// lineWith returns the first line of s that starts with prefix.
func lineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}

func TestDemoOnTheSample(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo.parquet")
	code, stdout, stderr := runRotor(t, "demo", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}

	// (a) 2023 returns from adj_close, as the data has them.
	want, p := sampleYearReturns(t, 2023)
	for sym, about := range map[string]float64{"NVDA": 2.39, "META": 1.94, "TSLA": 1.02} {
		r := want[sym]
		if math.Abs(r-about) > 0.01 {
			t.Fatalf("%s: 2023 return from the data %v, want about %v", sym, r, about)
		}
		found := false
		for _, l := range strings.Split(stdout, "\n") {
			f := strings.Fields(l)
			if len(f) > 3 && f[1] == sym && f[3] == signedPct(r) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no row with its 2023 return %s in:\n%s", sym, signedPct(r), stdout)
		}
	}
	for _, s := range []string{"cap-weighted return (R_cap)", "equal-weighted return (R_eq)", "stocks trailing R_cap", "rough stand-in"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q", s)
		}
	}

	// (b) The 2019 first cut: in the data, the target fell from 2.50 to
	// 2.25 on the row dated 2019-08-01, and the demo reports it there
	// with the announcement a day earlier.
	r := p.Rates()
	cut := engine.DateOf(2019, 8, 1)
	var found bool
	for _, e := range engine.FindEvents(r, engine.FirstCut) {
		if e.Date == cut && e.From == 2.5 && e.To == 2.25 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the sample's rates have no first cut 2.50 → 2.25 on %s", cut)
	}
	l := lineWith(stdout, "2019-08-01")
	if !strings.Contains(l, "2019-07-31") || !strings.Contains(l, "bar ") {
		t.Errorf("first cut row %q: want the series date, the announcement 2019-07-31 and its bar", l)
	}
	for _, before := range []string{"1995-07-06", "2007-09-18"} {
		if !strings.Contains(lineWith(stdout, before), "before the first bar") {
			t.Errorf("earlier first cut %s not reported as before the sample", before)
		}
	}

	// (c) The sweep table against the base, and its file.
	if !strings.Contains(stdout, "Rotation around the first cut: 36 points") || lineWith(stdout, "base") == "" {
		t.Errorf("no sweep table:\n%s", stdout)
	}
	for _, s := range []string{"fill close", "cost 5 bps", "P = 252", "returns use adj_close", "size: dollar-volume proxy", "cash earns target_rate_pct", "2018-12-31..2024-03-08", out} {
		if !strings.Contains(stdout, s) {
			t.Errorf("sweep footer lacks %q", s)
		}
	}
	rd, err := tables.Open(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	cols := rd.Columns()
	idx := map[string]int{}
	for j, c := range cols {
		idx[c.Name] = j
	}
	for _, n := range append([]string{"config_id", "k", "lag", "hold", "direction", "weighting", "switch_date", "episode_return"}, engine.MetricNames...) {
		if _, ok := idx[n]; !ok {
			t.Fatalf("results lack column %s: %v", n, cols)
		}
	}
	rows := 0
	for rd.Next() {
		rows++
	}
	if rd.Err() != nil || rows != 36 {
		t.Fatalf("%d rows (%v), want 36", rows, rd.Err())
	}
}

// The demo's numbers are the engine's: each point's metrics equal a
// simulation of that point against the base, and Study carries the curves.
func TestDemoDataAndStudy(t *testing.T) {
	ctx := context.Background()
	p, info, err := datasets.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.CostBps = 5
	d, err := buildDemo(ctx, p, info, cfg, 2023, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Points) != 36 || len(d.Cuts.Bars) != 1 || p.Dates[d.Cuts.Bars[0]] != engine.DateOf(2019, 8, 1) {
		t.Fatalf("%d points, cuts %+v", len(d.Points), d.Cuts)
	}
	spec, _ := strategies.Lookup("megacap_rotation")
	for _, j := range []int{0, 17, 35} {
		pt := d.Points[j]
		st, _ := spec.New(pt.Params)
		res, err := engine.Simulate(p, st, d.Config)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Metrics.TotalReturn-pt.Metrics.TotalReturn) > 1e-12 || math.Abs(res.Metrics.Beta-pt.Metrics.Beta) > 1e-12 {
			t.Errorf("%s: total_return %v beta %v, simulator %v %v", pt.Params, pt.Metrics.TotalReturn, pt.Metrics.Beta, res.Metrics.TotalReturn, res.Metrics.Beta)
		}
		if pt.Exit-pt.Switch != min(pt.Q.Hold, p.T()-1-pt.Switch) || pt.Switch != d.Cuts.Bars[0]+pt.Q.Lag {
			t.Errorf("%s: episode %d..%d", pt.Params, pt.Switch, pt.Exit)
		}
		if want := res.Equity[pt.Exit]/res.Equity[pt.Switch] - 1; pt.EpisodeRet != want {
			t.Errorf("%s: episode return %v, want %v", pt.Params, pt.EpisodeRet, want)
		}
	}
	s := d.Study()
	h := d.Points[d.Headline]
	if len(s.Base) != p.T() || len(s.Rotated) != p.T() || s.Rotated[p.T()-1] != h.Equity[p.T()-1] || h.Q.Lag != 0 || h.Q.Hold != 252 || h.Q.Into {
		t.Fatalf("study: %d/%d points, headline %s", len(s.Base), len(s.Rotated), h.Params)
	}
	if len(s.Events) < 6 || len(s.Tables) != 4 {
		t.Fatalf("study: %d events, %d tables", len(s.Events), len(s.Tables))
	}
	var buf bytes.Buffer
	if err := s.Render(&buf); err != nil || !strings.Contains(buf.String(), "<svg") {
		t.Fatalf("study render: %v (%d bytes)", err, buf.Len())
	}
}

func TestDemoErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--out", filepath.Join(dir, "x.txt")}, 2, "unknown table format"},
		{[]string{"--out", filepath.Join(dir, "missing", "x.parquet")}, 1, "missing"},
		{[]string{"--k", "0"}, 2, "--k 0"},
		{[]string{"--year", "1800"}, 2, "--year 1800"},
		{[]string{"--cost-bps", "-1"}, 2, "--cost-bps -1"},
		{[]string{"--format", "csv"}, 2, "want table|md"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--year", "2010", "--out", filepath.Join(dir, "y.parquet")}, 1, "no bar in 2010"},
	} {
		code, _, errOut := runRotor(t, append([]string{"demo"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	// Nothing half-written is left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("files left after errors: %v", ents)
	}
}
