package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/strategies"
)

func runStrategiesCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = runMain(context.Background(), append([]string{"strategies"}, args...), &o, &e)
	return o.String(), e.String(), code
}

func TestStrategiesListsEveryStrategyAndParameter(t *testing.T) {
	out, _, code := runStrategiesCmd(t)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range strategies.All() {
		if !strings.Contains(out, "\n"+s.Name) && !strings.HasPrefix(out, s.Name) {
			t.Errorf("strategy %s not listed", s.Name)
		}
		for _, p := range s.Params {
			if !strings.Contains(out, p.Range()) || !strings.Contains(out, "  "+p.Name+" ") {
				t.Errorf("%s: parameter %s (%s) not listed", s.Name, p.Name, p.Range())
			}
		}
	}
	// The sma_cross block shows its defaults and ranges.
	for _, want := range []string{"fast       bars  50       bars in [1, ∞]", "slow       bars  200      bars in [2, ∞]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestStrategiesFormats(t *testing.T) {
	out, _, code := runStrategiesCmd(t, "--format", "json", "sma_cross", "ts_momentum")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var js []struct {
		Name   string
		Params []struct {
			Name    string
			Type    string
			Default any
			Min     *float64
			Max     *float64
			Choices []string
		}
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 2 || js[0].Name != "sma_cross" || js[1].Name != "ts_momentum" {
		t.Fatalf("json strategies %+v", js)
	}
	if p := js[0].Params[0]; p.Name != "fast" || p.Type != "bars" || p.Default != 50.0 || *p.Min != 1 || p.Max != nil {
		t.Errorf("fast = %+v", p)
	}
	if p := js[1].Params[1]; p.Name != "lookback" || p.Default != 252.0 {
		t.Errorf("ts_momentum lookback = %+v", p)
	}
	if p := js[1].Params[2]; p.Name != "rebalance" || strings.Join(p.Choices, "|") != "daily|weekly|monthly|quarterly" {
		t.Errorf("rebalance = %+v", p)
	}

	out, _, _ = runStrategiesCmd(t, "--format", "csv", "buy_hold", "sma_cross")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, buy_hold (no parameters: one row), fast, slow.
	if len(recs) != 4 || recs[1][0] != "buy_hold" || recs[1][2] != "" || recs[2][2] != "fast" || recs[3][4] != "200" {
		t.Errorf("csv = %q", recs)
	}

	out, _, _ = runStrategiesCmd(t, "--format", "md", "sma_cross")
	if !strings.Contains(out, "### sma_cross") || !strings.Contains(out, "| fast | bars | 50 | bars in [1, ∞] |") {
		t.Errorf("markdown:\n%s", out)
	}

	out, _, _ = runStrategiesCmd(t, "--names")
	if strings.Fields(out)[0] != "buy_hold" || len(strings.Fields(out)) != len(strategies.All()) {
		t.Errorf("--names: %q", out)
	}
}

func TestStrategiesErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"no_such"}, `unknown strategy "no_such": valid strategies are buy_hold, `},
		{[]string{"--format", "xml"}, `invalid --format "xml": want table|md|csv|json`},
		{[]string{"--nope"}, "unknown flag: --nope"},
	} {
		_, errOut, code := runStrategiesCmd(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, errOut, tc.want)
		}
	}
}
