package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

// testSpecs is a strategy with every kind of parameter, sorted by name.
var testSpecs = []engine.ParamSpec{
	{Name: "fast", Kind: engine.IntParam, Default: engine.Int(10), Min: 1, Max: 500},
	{Name: "lag", Kind: engine.BarsParam, Default: engine.Bars(0), Min: 0, Max: 100},
	{Name: "long_only", Kind: engine.BoolParam, Default: engine.Bool(true)},
	{Name: "scale", Kind: engine.FloatParam, Default: engine.Float(1), Min: 0, Max: 10},
	{Name: "slow", Kind: engine.IntParam, Default: engine.Int(50), Min: 1, Max: 1000},
	{Name: "weighting", Kind: engine.EnumParam, Default: engine.Enum("equal"), Choices: []string{"equal", "cap"}},
}

func mustGrid(t testing.TB, text string) *Grid {
	t.Helper()
	g, err := ParseGrid(text, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func values(a Axis) string {
	s := make([]string, len(a.Values))
	for i, v := range a.Values {
		s[i] = v.String()
	}
	return strings.Join(s, " ")
}

func TestParseGrid(t *testing.T) {
	g := mustGrid(t, "fast=5:50:5, slow=20:200:10,weighting=equal|cap,scale=0.1:0.3:0.1,long_only=false")
	want := map[string]string{
		"fast":      "5 10 15 20 25 30 35 40 45 50",
		"slow":      "20 30 40 50 60 70 80 90 100 110 120 130 140 150 160 170 180 190 200",
		"weighting": "equal cap",
		"scale":     "0.1 0.2 0.3",
		"long_only": "false",
		"lag":       "0",
	}
	for _, a := range g.Axes {
		if got := values(a); got != want[a.Spec.Name] {
			t.Errorf("%s: %q, want %q", a.Spec.Name, got, want[a.Spec.Name])
		}
	}
	if g.Size() != 10*19*2*3 {
		t.Errorf("size %d", g.Size())
	}
	// the last parameter varies fastest; params come sorted by name
	p := g.Point(1, nil)
	if p.String() != "fast=5,lag=0,long_only=false,scale=0.1,slow=20,weighting=cap" {
		t.Errorf("point 1: %s", p)
	}
	p = g.Point(g.Size()-1, p)
	if p.String() != "fast=50,lag=0,long_only=false,scale=0.3,slow=200,weighting=cap" {
		t.Errorf("last point: %s", p)
	}
	// a range whose stop is not on the step stops before it
	if got := values(mustGrid(t, "fast=1:10:4").Axes[0]); got != "1 5 9" {
		t.Errorf("1:10:4 = %s", got)
	}
	if got := values(mustGrid(t, "fast=7").Axes[0]); got != "7" {
		t.Errorf("single value = %s", got)
	}
	if g := mustGrid(t, ""); g.Size() != 1 || g.Point(0, nil).String() != "fast=10,lag=0,long_only=true,scale=1,slow=50,weighting=equal" {
		t.Errorf("empty grid is the defaults: %v", g.Point(0, nil))
	}
}

// Every bad grid gets one error that names the parameter and says what
// would be valid.
func TestBadGrids(t *testing.T) {
	cases := map[string]string{
		"fsat=1:5":             `parameter fsat: unknown parameter (in --grid): valid parameters are fast, lag, long_only, scale, slow, weighting`,
		"fast=10:5":            `parameter fast: range "10:5" is empty (start 10 > stop 5)`,
		"fast=5:50:0":          `parameter fast: range "5:50:0" has step 0`,
		"fast=5:50:-5":         `negative step`,
		"fast=5:x":             `"x" is not a whole number (int in [1, 500])`,
		"fast=1.5":             `"1.5" is not a whole number`,
		"fast=0:10":            `range "0:10": 0 is out of range (int in [1, 500])`,
		"weighting=equal|size": `parameter weighting: "size" is not valid (one of equal|cap)`,
		"weighting=a:b":        `needs a numeric parameter`,
		"long_only=maybe":      `"maybe" is not true|false`,
		"fast=1,fast=2":        `parameter fast: given twice`,
		"fast":                 `"fast" is not name=values`,
		"fast=":                `parameter fast: no values`,
		"fast=1||2":            `empty value in list`,
		"fast=1|1":             `value 1 listed twice`,
		"scale=0:1:0.0000001":  `more than 1000000 values`,
		"fast=5:5204200:2":     `range "5:5204200:2": 5204199 is out of range (int in [1, 500])`,
		"scale=0:nan":          `is not a number`,
	}
	for text, want := range cases {
		_, err := ParseGrid(text, testSpecs)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", text, err, want)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%q: error spans lines: %q", text, err)
		}
	}
}

func TestExpr(t *testing.T) {
	ps := mustGrid(t, "fast=10,slow=50,scale=0.5,weighting=cap,long_only=true").Point(0, nil)
	cases := map[string]bool{
		"fast<slow":                        true,
		"fast < slow and slow <= 50":       true,
		"fast>slow || scale == 0.5":        true,
		"not (fast < slow)":                false,
		"!(fast<slow) or weighting=='cap'": true,
		"weighting != \"cap\"":             false,
		"'cap' == weighting":               true,
		"fast*5 == slow":                   true,
		"slow - fast*4 = 10":               true,
		"slow / fast >= 5 && -fast < 0":    true,
		"slow % 7 == 1":                    true,
		"long_only":                        true,
		"long_only == false":               false,
		"fast + 2 * 3 == 16":               true,
		"(fast + 2) * 3 == 36":             true,
		"fast / 0 > 1e300":                 true,
		"scale < 1e-1":                     false,
		"lag == 0 and true":                true,
	}
	for src, want := range cases {
		e, err := ParseExpr(src, testSpecs)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if got := e.Eval(ps); got != want {
			t.Errorf("%q = %v, want %v", src, got, want)
		}
	}
}

func TestBadExpr(t *testing.T) {
	cases := map[string]string{
		"fast<slwo":              `column 6: unknown parameter "slwo": valid parameters are fast, lag, long_only, scale, slow, weighting`,
		"fast<":                  `column 6: unexpected end of expression`,
		"fast+slow":              `column 1: the expression is a number; want a condition`,
		"(fast<slow":             `column 11: want ) to close the ( at column 1`,
		"fast<slow)":             `column 10: unexpected ")" after a complete expression`,
		"fast < 'x'":             `text compares only with an enum parameter`,
		"weighting == 'size'":    `column 14: "size" is not a value of weighting (one of equal|cap)`,
		"weighting < 'cap'":      `text compares with == or != only`,
		"fast; rm -rf /":         `column 5: unexpected character ";"`,
		"os.Exit(1)":             `unexpected character "."`,
		"a<b<c":                  `unknown parameter "a"`,
		"fast<slow<lag":          `comparisons do not chain`,
		"fast and slow":          `and needs conditions on both sides, got a number`,
		"weighting + 1 > 0":      `+ needs numbers, got text`,
		"":                       `empty expression`,
		"'open":                  `unterminated text literal`,
		"long_only < true":       `booleans compare with == or != only`,
		"fast == long_only":      `cannot compare a number with a boolean`,
		"1..2 < fast":            `"1..2" is not a number`,
		"not fast":               `not needs a condition, got a number`,
		"fast < slow and or lag": `unexpected "or"`,
	}
	for src, want := range cases {
		_, err := ParseExpr(src, testSpecs)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", src, err, want)
		}
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"fast<slow", "not (fast*2 >= slow) or weighting=='cap'", "-(-fast)/0 != scale", "'x", "long_only && !long_only"} {
		f.Add(s)
	}
	ps := mustGrid(f, "").Point(0, nil)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr(src, testSpecs)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) || ee.Col < 1 || ee.Col > len([]rune(src))+1 {
				t.Fatalf("%q: bad error %v", src, err)
			}
			return
		}
		e.Eval(ps)
	})
}

func FuzzParseGrid(f *testing.F) {
	for _, s := range []string{"fast=5:50:5,slow=20:200:10", "weighting=equal|cap", "scale=0.1:0.3:0.1", "fast=1|2|3,lag=0:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		g, err := ParseGrid(text, testSpecs)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "grid: ") {
				t.Fatalf("%q: error without the grid prefix: %v", text, err)
			}
			return
		}
		if g.Size() < 1 {
			t.Fatalf("%q: size %d", text, g.Size())
		}
		for _, i := range []int64{0, g.Size() / 2, g.Size() - 1} {
			p := g.Point(i, nil)
			for k, q := range p {
				if err := testSpecs[k].Check(q.Value); err != nil {
					t.Fatalf("%q point %d: %v", text, i, err)
				}
			}
		}
	})
}

func TestGridFile(t *testing.T) {
	yaml := `
params:
  fast: 5:50:5            # a range in grid syntax
  slow: {from: 20, to: 200, step: 10}
  weighting: [equal, cap]
where: fast < slow
`
	es, where, err := ParseGridFile("g.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if where != "fast < slow" || len(es) != 3 || es[1].Values != "20:200:10" || es[2].Values != "equal|cap" || es[0].From != "g.yaml:3" {
		t.Fatalf("entries %+v where %q", es, where)
	}
	js := `{"fast": "5:50:5", "slow": {"from": 20, "to": 200, "step": 10}, "where": "fast<slow"}`
	es2, where2, err := ParseGridFile("g.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if where2 != "fast<slow" || len(es2) != 2 || es2[1].Values != "20:200:10" {
		t.Fatalf("json entries %+v where %q", es2, where2)
	}
	g1, err := NewGrid(es, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	if g1.Size() != 10*19*2 {
		t.Fatalf("size %d", g1.Size())
	}
	bad := map[string]string{
		"params: [1, 2]":                "g.yaml:1: params must be a mapping",
		"fast: {from: 1}":               "g.yaml:1: parameter fast: a range needs from and to",
		"fast: {from: 1, to: 5, by: 2}": `unknown range key "by"`,
		"fast: [[1]]":                   "list item 1 is a list",
		"fast: []":                      "empty list",
		"params: {fast: 1}\nextra: 2":   `g.yaml:2: unknown key "extra" (valid keys: params, where)`,
		"- a\n- b":                      "want a mapping of parameters",
		"fast: [1, 2\n":                 "grid file g.yaml",
		"":                              "empty",
		"fast: {from: [1], to: 2}":      "from must be a number",
		"params: {fast: 1}\nwhere: [1]": "where must be text",
		"fast: ['1|2']":                 "may not contain",
	}
	for src, want := range bad {
		_, _, err := ParseGridFile("g.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", src, err, want)
		}
	}
	// the grid file's parameter names are checked against the strategy
	es3, _, _ := ParseGridFile("g.yaml", []byte("fsat: 1"))
	if _, err := NewGrid(es3, testSpecs); err == nil || !strings.Contains(err.Error(), "unknown parameter (in g.yaml:1)") {
		t.Errorf("unknown parameter in file: %v", err)
	}
	// the same parameter on the command line and in the file
	es4, _ := ParseEntries("fast=5")
	if _, err := NewGrid(append(es4, es...), testSpecs); err == nil || !strings.Contains(err.Error(), "given twice (in --grid and g.yaml:3)") {
		t.Errorf("twice: %v", err)
	}
}

func mustPlan(t testing.TB, grid, where string, sample int64, seed uint64, shard Shard) *Plan {
	t.Helper()
	g := mustGrid(t, grid)
	var e *Expr
	if where != "" {
		var err error
		if e, err = ParseExpr(where, testSpecs); err != nil {
			t.Fatal(err)
		}
	}
	p, err := NewPlan("test", g, e, sample, seed, shard)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func collect(p *Plan) []string {
	var out []string
	it := p.Iter()
	for {
		_, ps, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, ps.String())
	}
}

func TestPlanWhereAndShards(t *testing.T) {
	p := mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 0, 0, Shard{})
	all := collect(p)
	if len(all) != 174 || p.Count() != 174 {
		t.Fatalf("%d points (count %d), want 174", len(all), p.Count())
	}
	var union []string
	for i := 0; i < 3; i++ {
		s := mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 0, 0, Shard{i, 3})
		part := collect(s)
		if int64(len(part)) != s.Count() || len(part) != 58 {
			t.Errorf("shard %d: %d points, count %d", i, len(part), s.Count())
		}
		union = append(union, part...)
	}
	sort.Strings(union)
	sorted := append([]string(nil), all...)
	sort.Strings(sorted)
	if strings.Join(union, ";") != strings.Join(sorted, ";") {
		t.Error("shards do not partition the plan")
	}
	g := mustGrid(t, "fast=5:50:5,slow=20:30:10")
	e, _ := ParseExpr("fast > slow + 100", testSpecs)
	if _, err := NewPlan("test", g, e, 0, 0, Shard{}); err == nil || !strings.Contains(err.Error(), "keeps none of the grid's 20 points") {
		t.Errorf("empty plan: %v", err)
	}
	if _, err := NewPlan("test", g, e, 5, 1, Shard{}); err == nil || !strings.Contains(err.Error(), "keeps none") {
		t.Errorf("empty sampled plan: %v", err)
	}
}

func TestSample(t *testing.T) {
	a := collect(mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 20, 7, Shard{}))
	b := collect(mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 20, 7, Shard{}))
	c := collect(mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 20, 8, Shard{}))
	if len(a) != 20 || strings.Join(a, ";") != strings.Join(b, ";") {
		t.Fatalf("sample not reproducible: %d points", len(a))
	}
	if strings.Join(a, ";") == strings.Join(c, ";") {
		t.Error("seed does not change the sample")
	}
	seen := map[string]bool{}
	for _, s := range a {
		if seen[s] {
			t.Errorf("sampled twice: %s", s)
		}
		seen[s] = true
		var f, sl int
		fmt.Sscanf(strings.Replace(strings.Replace(s, "fast=", "", 1), ",lag=0,long_only=true,scale=1,slow=", " ", 1), "%d %d", &f, &sl)
		if f >= sl {
			t.Errorf("sample breaks the constraint: %s", s)
		}
	}
	// the sample is shared by the shards
	var union []string
	for i := 0; i < 4; i++ {
		union = append(union, collect(mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 20, 7, Shard{i, 4}))...)
	}
	sort.Strings(union)
	sort.Strings(a)
	if strings.Join(union, ";") != strings.Join(a, ";") {
		t.Error("sharded sample differs")
	}
	// a sample larger than the plan is the plan
	if n := len(collect(mustPlan(t, "fast=5:50:5", "", 100, 1, Shard{}))); n != 10 {
		t.Errorf("oversized sample: %d points", n)
	}
	// a grid too large to enumerate samples grid indices
	big := mustPlan(t, "fast=1:500,slow=1:1000,lag=0:100", "fast<slow", 1000, 3, Shard{})
	if big.Grid.Size() <= exhaustiveLimit || len(collect(big)) != 1000 || big.Count() != 1000 {
		t.Errorf("large-grid sample: size %d, %d points", big.Grid.Size(), len(collect(big)))
	}
	if _, err := NewPlan("t", big.Grid, mustExpr(t, "fast > 499 and slow < 3"), 10, 1, Shard{}); err == nil || !strings.Contains(err.Error(), "lower --sample") {
		t.Errorf("impossible sample: %v", err)
	}
}

func mustExpr(t testing.TB, s string) *Expr {
	e, err := ParseExpr(s, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		env   func(string) string
		count int
		want  Shard
		err   string
	}{
		{env(), 0, Shard{}, ""},
		{env("JOB_COMPLETION_INDEX", "2", "ROTOR_SHARD_COUNT", "5"), 0, Shard{2, 5}, ""},
		{env("JOB_COMPLETION_INDEX", "2"), 4, Shard{2, 4}, ""},
		{env("JOB_COMPLETION_INDEX", "2"), 0, Shard{}, "pass --shard-count"},
		{env("JOB_COMPLETION_INDEX", "5", "ROTOR_SHARD_COUNT", "5"), 0, Shard{}, "index must be in 0..4"},
		{env("JOB_COMPLETION_INDEX", "x"), 3, Shard{}, "JOB_COMPLETION_INDEX=\"x\""},
		{env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4"), 0, Shard{3, 4}, ""},
		{env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "4"), 0, Shard{3, 4}, ""},
		{env("SLURM_ARRAY_TASK_ID", "3"), 0, Shard{}, "SLURM_ARRAY_TASK_COUNT is not"},
		{env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "0"), 0, Shard{}, "want a positive whole number"},
	}
	for i, c := range cases {
		got, _, err := ShardFromEnv(c.env, c.count)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("case %d: got %v, want %q", i, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("case %d: got %v %v, want %v", i, got, err, c.want)
		}
	}
	for _, s := range []string{"1/0", "3/3", "-1/2", "a/b", "1"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
	if s, err := ParseShard("2/3"); err != nil || s != (Shard{2, 3}) {
		t.Errorf("ParseShard(2/3) = %v %v", s, err)
	}
}

// fakeEval computes metrics from the parameters and the asset alone, with
// a per-call check that the runner never hands it empty or oversized work.
type fakeEval struct {
	calls  atomic.Int64
	failAt string // a point whose evaluation fails
	lanes  int
}

func (f *fakeEval) Evaluate(points []engine.Params, assets []int, out []engine.Metrics) error {
	f.calls.Add(1)
	if len(points) == 0 || f.lanes > 0 && len(assets) > f.lanes {
		return fmt.Errorf("bad chunk: %d points, %d assets", len(points), len(assets))
	}
	na := max(1, len(assets))
	if len(out) != na*len(points) {
		return fmt.Errorf("out has %d, want %d", len(out), na*len(points))
	}
	for a := 0; a < na; a++ {
		asset := -1
		if assets != nil {
			asset = assets[a]
		}
		for k, ps := range points {
			if ps.String() == f.failAt {
				return fmt.Errorf("point %s failed", ps)
			}
			fast, _ := ps.Get("fast")
			slow, _ := ps.Get("slow")
			m := &out[a*len(points)+k]
			m.TotalReturn = float64(fast.I)/float64(slow.I) + float64(asset)
			m.Sharpe = math.Sin(float64(fast.I*31+slow.I) + float64(asset))
			m.Beta = math.NaN()
		}
	}
	return nil
}

// rowKey is a row as text: the full content, bit for bit.
func rowKey(r Row) string {
	return fmt.Sprintf("%s|%d|%s|%x|%x|%x", r.ConfigID, r.Asset, r.Params, math.Float64bits(r.Metrics.TotalReturn), math.Float64bits(r.Metrics.Sharpe), math.Float64bits(r.Metrics.Beta))
}

func runRows(t *testing.T, src Source, opt Options, ev engine.Evaluator) ([]string, Stats, error) {
	t.Helper()
	var rows []string
	st, err := Run(context.Background(), src, ev, opt, func(rs []Row) error {
		for _, r := range rs {
			rows = append(rows, rowKey(r))
		}
		return nil
	})
	return rows, st, err
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// The property of SEMANTICS §5: the rows do not depend on the number of
// workers, the chunk size, the order of points or the sharding.
func TestRunDeterministic(t *testing.T) {
	const grid, where = "fast=5:50:5,slow=20:200:10,weighting=equal|cap", "fast<slow"
	for _, assets := range [][]int{nil, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}} {
		name := "panel"
		if assets != nil {
			name = "per-asset"
		}
		t.Run(name, func(t *testing.T) {
			p := mustPlan(t, grid, where, 0, 0, Shard{})
			opt := Options{Strategy: "test", Workers: 1, Assets: assets, Total: p.Count()}
			ref, st, err := runRows(t, p.Iter(), opt, &fakeEval{lanes: 8})
			if err != nil {
				t.Fatal(err)
			}
			na := max(1, len(assets))
			if len(ref) != 348*na || st.Rows != int64(len(ref)) || st.Points != 348 {
				t.Fatalf("%d rows, stats %+v", len(ref), st)
			}
			sref := sortedCopy(ref)
			for _, w := range []int{2, 8} {
				for _, cp := range []int{0, 1, 7, 1000} {
					opt := opt
					opt.Workers, opt.ChunkPoints = w, cp
					got, _, err := runRows(t, mustPlan(t, grid, where, 0, 0, Shard{}).Iter(), opt, &fakeEval{lanes: 8})
					if err != nil {
						t.Fatal(err)
					}
					if strings.Join(got, "\n") != strings.Join(ref, "\n") {
						t.Fatalf("-j %d chunk %d: rows or their order differ", w, cp)
					}
				}
			}
			// shuffled point order: the same set
			var pts []engine.Params
			it := p.Iter()
			for {
				_, ps, ok := it.Next()
				if !ok {
					break
				}
				pts = append(pts, append(engine.Params(nil), ps...))
			}
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
			got, _, err := runRows(t, &List{Points: pts}, Options{Strategy: "test", Workers: 8, Assets: assets, ChunkPoints: 5}, &fakeEval{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(sortedCopy(got), "\n") != strings.Join(sref, "\n") {
				t.Fatal("shuffled order: rows differ")
			}
			// shards 0/3, 1/3, 2/3 merged
			var union []string
			for i := 0; i < 3; i++ {
				sp := mustPlan(t, grid, where, 0, 0, Shard{i, 3})
				part, _, err := runRows(t, sp.Iter(), Options{Strategy: "test", Workers: 2, Assets: assets, Total: sp.Count()}, &fakeEval{})
				if err != nil {
					t.Fatal(err)
				}
				union = append(union, part...)
			}
			if strings.Join(sortedCopy(union), "\n") != strings.Join(sref, "\n") {
				t.Fatal("merged shards: rows differ")
			}
		})
	}
}

// Cancelling mid-way keeps every finished row; resuming with them as done
// completes the set with no duplicate.
func TestCancelAndResume(t *testing.T) {
	const grid, where = "fast=5:50:5,slow=20:200:10,weighting=equal|cap", "fast<slow"
	for _, assets := range [][]int{nil, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}} {
		p := mustPlan(t, grid, where, 0, 0, Shard{})
		ref, _, err := runRows(t, p.Iter(), Options{Strategy: "test", Workers: 3, Assets: assets}, &fakeEval{})
		if err != nil {
			t.Fatal(err)
		}
		for _, stopAfter := range []int{1, 60, 200} {
			ctx, cancel := context.WithCancel(context.Background())
			var first []string
			done := map[string]bool{}
			_, err := Run(ctx, mustPlan(t, grid, where, 0, 0, Shard{}).Iter(), &fakeEval{}, Options{Strategy: "test", Workers: 3, Assets: assets, ChunkPoints: 4}, func(rs []Row) error {
				for _, r := range rs {
					first = append(first, rowKey(r))
					done[fmt.Sprintf("%s/%d", r.ConfigID, r.Asset)] = true
				}
				if len(first) >= stopAfter {
					cancel()
				}
				return nil
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("stop after %d: err %v", stopAfter, err)
			}
			if len(first) >= len(ref) {
				t.Fatalf("stop after %d: the run was not interrupted (%d rows)", stopAfter, len(first))
			}
			isDone := func(id uint64, asset int) bool { return done[fmt.Sprintf("%016x/%d", id, asset)] }
			rest, st, err := runRows(t, mustPlan(t, grid, where, 0, 0, Shard{}).Iter(), Options{Strategy: "test", Workers: 2, Assets: assets, Done: isDone}, &fakeEval{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Skipped != int64(len(first)) {
				t.Errorf("stop after %d: skipped %d, want %d", stopAfter, st.Skipped, len(first))
			}
			all := append(first, rest...)
			if strings.Join(sortedCopy(all), "\n") != strings.Join(sortedCopy(ref), "\n") {
				t.Fatalf("stop after %d: interrupted + resumed (%d+%d rows) differs from one run (%d rows)", stopAfter, len(first), len(rest), len(ref))
			}
		}
	}
}

// An evaluator error stops the sweep with the error, keeping the rows of
// the chunks that finished.
func TestEvaluatorError(t *testing.T) {
	p := mustPlan(t, "fast=5:50:5,slow=20:200:10", "fast<slow", 0, 0, Shard{})
	ev := &fakeEval{failAt: "fast=30,lag=0,long_only=true,scale=1,slow=40,weighting=equal"}
	rows, st, err := runRows(t, p.Iter(), Options{Strategy: "test", Workers: 2, ChunkPoints: 10}, ev)
	if err == nil || !strings.Contains(err.Error(), "point fast=30") {
		t.Fatalf("err = %v", err)
	}
	if len(rows) == 0 || len(rows) >= 174 || st.Rows != int64(len(rows)) {
		t.Fatalf("%d rows kept", len(rows))
	}
	panicky := evalFunc(func([]engine.Params, []int, []engine.Metrics) error { panic("boom") })
	if _, _, err := runRows(t, p.Iter(), Options{Strategy: "test"}, panicky); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panic: %v", err)
	}
	// an emit error stops the run
	_, err = Run(context.Background(), p.Iter(), &fakeEval{}, Options{Strategy: "test", ChunkPoints: 3}, func([]Row) error { return errors.New("disk full") })
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("emit error: %v", err)
	}
}

type evalFunc func([]engine.Params, []int, []engine.Metrics) error

func (f evalFunc) Evaluate(p []engine.Params, a []int, o []engine.Metrics) error { return f(p, a, o) }

// The runner's config ids equal engine.ConfigID for every kind of value,
// and the numeric key is the id's 64 bits.
func TestIDHasher(t *testing.T) {
	var h idHasher
	g := mustGrid(t, "fast=1|7|500,scale=0|0.1|1e-7|9.999999999,weighting=equal|cap,long_only=true|false,lag=0|100")
	for i := int64(0); i < g.Size(); i++ {
		ps := g.Point(i, nil)
		id, key := h.id("strat", ps)
		if want := engine.ConfigID("strat", ps); id != want {
			t.Fatalf("%s: id %s, want %s", ps, id, want)
		}
		if fmt.Sprintf("%016x", key) != id {
			t.Fatalf("key %x for id %s", key, id)
		}
	}
}

// Config ids are those of engine.ConfigID over the complete params.
func TestRowConfigID(t *testing.T) {
	p := mustPlan(t, "fast=5:10:5", "", 0, 0, Shard{})
	_, err := Run(context.Background(), p.Iter(), &fakeEval{}, Options{Strategy: "sma"}, func(rs []Row) error {
		for _, r := range rs {
			if r.ConfigID != engine.ConfigID("sma", r.Params) || len(r.ConfigID) != 16 {
				t.Errorf("id %s for %s", r.ConfigID, r.Params)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
