package strategies

import (
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

func TestSMACrossHand(t *testing.T) {
	// fast 2, slow 3:
	//   bar  price  SMA2  SMA3   signal
	//    0     1     -     -     flat
	//    1     2    1.5    -     flat
	//    2     3    2.5   2      long
	//    3     2    2.5   2.333  long
	//    4     1    1.5   2      flat
	//    5     1    1     1.333  flat
	//    6     2    1.5   1.333  long
	//    7     3    (last bar: no decision)
	// Trades on bar 0 (start, flat), 2, 4 and 6 (signal changes).
	kv := map[string]string{"fast": "2", "slow": "3"}
	a := []float64{1, 2, 3, 2, 1, 1, 2, 3}
	dates := weekdays(2024, 1, 1, 8)
	p := panelOf(t, dates, []string{"A"}, [][]float64{a}, nil)
	checkDecisions(t, decide(t, build(t, "sma_cross", kv), p), [][]float64{{0}, nil, {1}, nil, {0}, nil, {1}})

	// A missing price on bar 3 makes the signal flat while it is inside
	// either window (bars 3-5); on bar 6 SMA2 = 1.5 > SMA3 = 4/3.
	b := []float64{1, 2, 3, nan, 1, 1, 2, 3}
	p = panelOf(t, dates, []string{"A"}, [][]float64{b}, nil)
	checkDecisions(t, decide(t, build(t, "sma_cross", kv), p), [][]float64{{0}, nil, {1}, {0}, nil, nil, {1}})

	// A constant price has SMA2 == SMA3: a tie is flat.
	p = panelOf(t, dates, []string{"A"}, [][]float64{{5, 5, 5, 5, 5, 5, 5, 5}}, nil)
	checkDecisions(t, decide(t, build(t, "sma_cross", kv), p), [][]float64{{0}, nil, nil, nil, nil, nil, nil})

	// Two assets: equal weight across the long ones.
	//   B: 5 5 5 6 7 8 9 10 → bar 2 tie (flat); bar 3 SMA2 5.5 > SMA3 5.33
	//   and long after. Long sets: bar 2 {A}, 3 {A,B}, 4 {B}, 5 {B}, 6 {A,B}.
	p = panelOf(t, dates, []string{"A", "B"}, [][]float64{a, {5, 5, 5, 6, 7, 8, 9, 10}}, nil)
	checkDecisions(t, decide(t, build(t, "sma_cross", kv), p), [][]float64{{0, 0}, nil, {1, 0}, {.5, .5}, {0, 1}, nil, {.5, .5}})
}

func TestSMACrossParams(t *testing.T) {
	spec, err := Lookup("sma_cross")
	if err != nil {
		t.Fatal(err)
	}
	if !spec.SingleAsset {
		t.Error("sma_cross is a single-asset strategy")
	}
	for _, kv := range []map[string]string{{"fast": "5", "slow": "5"}, {"fast": "30", "slow": "20"}} {
		_, err := spec.Parse(kv)
		if err == nil || !strings.Contains(err.Error(), "fast") || !strings.Contains(err.Error(), "less than slow") {
			t.Errorf("%v: err = %v, want fast < slow", kv, err)
		}
	}
	// New checks too, for params built without Resolve.
	if _, err := spec.New(engine.Params{{Name: "fast", Value: engine.Bars(9)}, {Name: "slow", Value: engine.Bars(3)}}); err == nil {
		t.Error("New accepted fast > slow")
	}
}
