package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rotor-bt/rotor/engine"
)

// weekdays returns n weekdays from start on.
func weekdays(start engine.Date, n int) []engine.Date {
	out := make([]engine.Date, 0, n)
	for d := start; len(out) < n; d++ {
		if wd := d.Time().Weekday(); wd != 0 && wd != 6 {
			out = append(out, d)
		}
	}
	return out
}

// randomWalk is a deterministic equity curve starting at v0.
func randomWalk(seed uint64, n int, v0, drift, vol float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n)
	v[0] = v0
	for t := 1; t < n; t++ {
		v[t] = v[t-1] * (1 + drift + vol*rng.NormFloat64())
	}
	return v
}

// fixtureRun is a 1,300-bar run with a benchmark, cash returns and
// monthly rebalancing trades in three symbols.
func fixtureRun() *Run {
	dates := weekdays(engine.DateOf(2019, 1, 2), 1300)
	eq := randomWalk(1, len(dates), 1, 0.0005, 0.012)
	bm := randomWalk(2, len(dates), 100, 0.0004, 0.011)
	rf := make([]float64, len(dates))
	for t := 1; t < len(rf); t++ {
		rf[t] = 0.02 / 252
	}
	var trades []engine.Trade
	ends := engine.PeriodEnds(dates, engine.Monthly)
	for t, e := range ends {
		if e || t == 0 {
			for i, s := range []string{"AAA", "BBB", "CCC"} {
				trades = append(trades, engine.Trade{Bar: t, Date: dates[t], Asset: i, Symbol: s, From: 0.3 + 0.01*float64(i), To: 1.0 / 3, Cost: 1e-5 * float64(i+1)})
			}
		}
	}
	m := engine.Metrics{TotalReturn: eq[len(eq)-1] - 1, CAGR: 0.1, Volatility: 0.19, Sharpe: 0.8, Sortino: 1.1, MaxDrawdown: 0.25,
		MaxDrawdownDays: 120, Calmar: 0.4, Turnover: 0.5, Costs: 0.001, Exposure: 1, Beta: 0.9, Alpha: 0.01,
		TrackingError: 0.05, InformationRatio: 0.3, ExcessCAGR: 0.02}
	return &Run{Title: "Run fixture", Subtitle: "sma_cross fast=10 slow=50", Dates: dates, Equity: eq, Benchmark: bm,
		BenchmarkName: "equal weight", CashReturns: rf, Metrics: &m, Trades: trades,
		Conventions: []string{"fill close, cost 5 bps, P = 252", "data: fixture 2019-01-02 to 2023-12-22"}}
}

// gridRow is the synthetic metric of one sweep point: smooth in fast and
// slow with a ridge, NaN on a few points.
func gridMetrics(fast, slow int, weighting string, sym int) []float64 {
	s := math.Sin(float64(fast)/9)*0.8 + math.Cos(float64(slow)/40)*0.6 - 0.1*float64(sym)
	if weighting == "cap" {
		s += 0.15
	}
	if (fast*7+slow*3)%97 == 0 {
		s = math.NaN()
	}
	m := make([]float64, len(engine.MetricNames))
	for i := range m {
		m[i] = s*float64(i+1)/10 + 0.01*float64(fast%7)
	}
	m[3] = s // sharpe
	m[5] = 0.1 + 0.002*float64(slow) + 0.001*float64(fast%5)
	return m
}

// fixtureSweep is a grid fast 5..50 step 5 × slow 20..200 step 10 with
// fast<slow × weighting equal|cap, optionally per asset over symbols.
func fixtureSweep(symbols []string) *Sweep {
	params := []string{"fast", "slow", "weighting"}
	scan := func(fn func(*SweepRow) error) error {
		row := &SweepRow{Params: make([]string, 3)}
		syms := symbols
		if syms == nil {
			syms = []string{""}
		}
		for fast := 5; fast <= 50; fast += 5 {
			for slow := 20; slow <= 200; slow += 10 {
				if fast >= slow {
					continue
				}
				for _, wgt := range []string{"equal", "cap"} {
					for si, s := range syms {
						row.Params[0], row.Params[1], row.Params[2] = strconv.Itoa(fast), strconv.Itoa(slow), wgt
						ps := engine.Params{{Name: "fast", Value: engine.Int(int64(fast))}, {Name: "slow", Value: engine.Int(int64(slow))}, {Name: "weighting", Value: engine.Enum(wgt)}}
						row.ConfigID = engine.ConfigID("sma_cross", ps)
						row.Symbol = s
						row.Metrics = gridMetrics(fast, slow, wgt, si)
						if err := fn(row); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	}
	return &Sweep{Strategy: "sma_cross", Params: params, Metrics: engine.MetricNames, Scan: scan,
		Conventions: []string{"fill close, no costs, P = 252", "data: fixture"},
		Meta:        [][2]string{{"dataset", "fixture (sha256 0123…)"}, {"grid", "fast=5:50:5,slow=20:200:10,weighting=equal|cap"}}}
}

// fedFunds is a short stretch of the federal funds target (upper bound)
// series around two easing cycles.
func fedFunds() *engine.Rates {
	rows := []struct {
		d string
		v float64
	}{
		{"2015-12-17", 0.5}, {"2016-12-15", 0.75}, {"2017-03-16", 1}, {"2017-06-15", 1.25}, {"2017-12-14", 1.5},
		{"2018-03-22", 1.75}, {"2018-06-14", 2}, {"2018-09-27", 2.25}, {"2018-12-20", 2.5}, {"2019-08-01", 2.25},
		{"2019-09-19", 2}, {"2019-10-31", 1.75}, {"2020-03-04", 1.25}, {"2020-03-16", 0.25}, {"2022-03-17", 0.5},
		{"2022-05-05", 1}, {"2022-06-16", 1.75}, {"2022-07-28", 2.5}, {"2022-09-22", 3.25}, {"2022-11-03", 4},
		{"2022-12-15", 4.5}, {"2023-02-02", 4.75}, {"2023-03-23", 5}, {"2023-05-04", 5.25}, {"2023-07-27", 5.5},
		{"2024-09-19", 5}, {"2024-11-08", 4.75}, {"2024-12-19", 4.5},
	}
	r := &engine.Rates{Name: "target_rate_pct"}
	for _, x := range rows {
		d, err := engine.ParseDate(x.d)
		if err != nil {
			panic(err)
		}
		r.Dates = append(r.Dates, d)
		r.Pct = append(r.Pct, x.v)
	}
	return r
}

func fixtureStudy() *Study {
	dates := weekdays(engine.DateOf(2019, 1, 2), 1350)
	rates := fedFunds()
	return &Study{
		Notes:  []string{"Fixture study: synthetic equity on the real rate path."},
		Rates:  rates,
		Events: engine.FindEvents(rates, engine.FirstCut),
		Dates:  dates, Base: randomWalk(3, len(dates), 1, 0.0005, 0.011), Rotated: randomWalk(4, len(dates), 1, 0.0004, 0.010),
		Lag: 5, Hold: 126, Conventions: []string{"fill close, cost 5 bps, P = 252", "size: dollar-volume proxy (no share counts)"},
		Tables: []*Table{{Title: "Rotation sweep", Columns: []string{"lag", "hold", "sharpe"}, Rows: [][]string{{"0", "126", "0.91"}, {"5", "252", "0.85"}}, Footer: []string{"fill close"}}},
	}
}

// saveArtifact writes a rendered report into $ROTOR_REPORT_DIR when set,
// for looking at it in a browser.
func saveArtifact(t *testing.T, name string, b []byte) {
	if d := os.Getenv("ROTOR_REPORT_DIR"); d != "" {
		if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// checkDocument checks that doc is well-formed HTML (every element closed
// in order, SVG elements closed or self-closed), parses as HTML, and is
// self-contained: no URL, no script, no external reference of any kind.
func checkDocument(t *testing.T, doc []byte) *html.Node {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(doc))
	var stack []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken:
			if tok.Data == "script" || tok.Data == "iframe" || tok.Data == "img" || tok.Data == "link" || tok.Data == "object" {
				t.Errorf("element <%s> in a self-contained report", tok.Data)
			}
			for _, a := range tok.Attr {
				if a.Key == "src" || a.Key == "href" || a.Key == "xlink:href" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				}
			}
			if !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("unbalanced </%s>, open: %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
	low := strings.ToLower(string(doc))
	for _, bad := range []string{"http://", "https://", "//cdn", "url(", "@import", "<script", "javascript:"} {
		if strings.Contains(low, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	n, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

// findAll returns the nodes under n for which ok is true, in document order.
func findAll(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func ancestor(n *html.Node, tag string) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == tag {
			return p
		}
	}
	return nil
}

var pathPoint = regexp.MustCompile(`[ML](-?[0-9.]+),(-?[0-9.]+)`)

// lastPoint maps the last point of a series path back through the chart's
// scales (read from the <svg>'s data attributes) to a date and a value.
func lastPoint(t *testing.T, path *html.Node) (engine.Date, float64) {
	t.Helper()
	svg := ancestor(path, "svg")
	pts := pathPoint.FindAllStringSubmatch(attr(path, "d"), -1)
	if len(pts) == 0 {
		t.Fatalf("empty path %q", attr(path, "data-series"))
	}
	px, _ := strconv.ParseFloat(pts[len(pts)-1][1], 64)
	py, _ := strconv.ParseFloat(pts[len(pts)-1][2], 64)
	var left, top, w, h float64
	fmt.Sscanf(attr(svg, "data-plot"), "%g,%g,%g,%g", &left, &top, &w, &h)
	xd := strings.Split(attr(svg, "data-x-domain"), ",")
	d0, _ := engine.ParseDate(xd[0])
	d1, _ := engine.ParseDate(xd[1])
	yd := strings.Split(attr(svg, "data-y-domain"), ",")
	y0, _ := strconv.ParseFloat(yd[0], 64)
	y1, _ := strconv.ParseFloat(yd[1], 64)
	xs := newScale(float64(d0), float64(d1), left, left+w, false)
	ys := newScale(y0, y1, top+h, top, attr(svg, "data-y-log") == "true")
	return engine.Date(math.Round(xs.inv(px))), ys.inv(py)
}

// yTolerance is the value of 0.25 px on the chart of path (coordinates are
// printed to 0.1 px).
func yTolerance(path *html.Node, at float64) float64 {
	svg := ancestor(path, "svg")
	var left, top, w, h float64
	fmt.Sscanf(attr(svg, "data-plot"), "%g,%g,%g,%g", &left, &top, &w, &h)
	yd := strings.Split(attr(svg, "data-y-domain"), ",")
	y0, _ := strconv.ParseFloat(yd[0], 64)
	y1, _ := strconv.ParseFloat(yd[1], 64)
	if attr(svg, "data-y-log") == "true" {
		return at * (math.Pow(y1/y0, 0.25/h) - 1)
	}
	return (y1 - y0) * 0.25 / h
}

// fmtSscan reads the data-plot attribute (left, top, width, height) of the
// first chart in svg.
func fmtSscan(svg string, left, top, w, h *float64) (int, error) {
	m := regexp.MustCompile(`data-plot="([^"]*)"`).FindStringSubmatch(svg)
	if m == nil {
		return 0, fmt.Errorf("no data-plot")
	}
	return fmt.Sscanf(m[1], "%g,%g,%g,%g", left, top, w, h)
}
