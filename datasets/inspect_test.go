package datasets

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

// Inspect finds exactly the splits the generator put in, read back from
// Parquet, with their ratios.
func TestInspectFindsSynthSplits(t *testing.T) {
	f, m := synthFile(t, t.TempDir(), synth.Config{Symbols: 200, Days: 3000, Seed: 1})
	ins, err := Inspect(context.Background(), LoadOptions{Paths: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Splits) < 20 {
		t.Fatalf("only %d splits generated", len(m.Splits))
	}
	want := map[string]float64{}
	for _, s := range m.Splits {
		want[s.Date.String()+" "+s.Symbol] = s.Ratio
	}
	got := map[string]bool{}
	for _, c := range ins.SplitCandidates {
		k := c.Date.String() + " " + c.Symbol
		got[k] = true
		r, ok := want[k]
		if !ok {
			t.Errorf("candidate %s (close %+.1f%%, adj %+.1f%%) is no split", k, 100*c.CloseMove, 100*c.AdjMove)
			continue
		}
		if math.Abs(c.Ratio/r-1) > 0.011 { // a dividend on the same day moves it ≤ 1%
			t.Errorf("%s: implied ratio %.4f, split %g", k, c.Ratio, r)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("split %s not found", k)
		}
	}
	// IPOs and delistings are spans, not gaps.
	for i, sp := range ins.Spans {
		l := m.Listed[i]
		if sp.First != m.Panel.Dates[l[0]] || sp.Last != m.Panel.Dates[l[1]] || sp.Gaps != 0 {
			t.Fatalf("span %+v, listed %v", sp, l)
		}
	}
	if len(ins.CalendarGaps) != 0 {
		t.Errorf("calendar gaps %v in a weekday calendar", ins.CalendarGaps)
	}
	t.Logf("%d splits found", len(ins.SplitCandidates))
}

// The embedded sample's prices are split-adjusted: no candidates, though
// AAPL, TSLA, NVDA, AMZN, GOOGL and WMT split in it.
func TestInspectSampleHasNoSplits(t *testing.T) {
	p, info, err := Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ins := InspectPanel(p, info)
	if len(ins.SplitCandidates) != 0 {
		t.Errorf("split candidates on the sample: %+v", ins.SplitCandidates)
	}
	for _, sp := range ins.Spans {
		if sp.Bars != 1306 || sp.Gaps != 0 {
			t.Errorf("%+v", sp)
		}
	}
}

// Without adj_close every close move beyond ±40% is a candidate.
func TestSplitCandidatesCloseOnly(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "p.csv")
	os.WriteFile(f, []byte("date,symbol,close\n2024-01-02,A,100\n2024-01-03,A,25.5\n2024-01-04,A,26\n2024-01-05,A,36\n"), 0o644)
	p, info, err := Load(context.Background(), LoadOptions{Paths: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	c := InspectPanel(p, info).SplitCandidates
	if len(c) != 1 || c[0].Date != engine.DateOf(2024, 1, 3) || !math.IsNaN(c[0].AdjMove) {
		t.Errorf("candidates %+v", c)
	}
}
