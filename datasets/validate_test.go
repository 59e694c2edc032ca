package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

// Every file of testdata/bad breaks one rule and gets one line naming the
// file, the key and the rule, and no panel.
func TestBadInputs(t *testing.T) {
	cases := []struct {
		file  string // under testdata/bad, or a good file with opt
		rates string
		opt   func(*LoadOptions)
		rule  string
		key   string // substring of the key
	}{
		{file: "missing_column.csv", rule: RuleMissingColumn, key: "column close"},
		{file: "wrong_type.csv", rule: RuleWrongType, key: "line 3, column close"},
		{file: "wrong_date.csv", rule: RuleWrongType, key: "column date"},
		{file: "wrong_type.parquet", rule: RuleWrongType, key: "column close"},
		{file: "wrong_date_type.parquet", rule: RuleWrongType, key: "column date"},
		{file: "duplicate.csv", rule: RuleDuplicate, key: "row (2024-01-02, AAA)"},
		{file: "duplicate.parquet", rule: RuleDuplicate, key: "row (2024-01-02, AAA)"},
		{file: "nonpositive_price.csv", rule: RuleBadPrice, key: "row (2024-01-03, AAA)"},
		{file: "nan_price.csv", rule: RuleBadPrice, key: "row (2024-01-03, AAA)"},
		{file: "inf_price.csv", rule: RuleBadPrice, key: "row (2024-01-03, AAA)"},
		{file: "high_below_low.csv", rule: RuleHighLow, key: "row (2024-01-03, AAA)"},
		{file: "negative_volume.csv", rule: RuleBadValue, key: "row (2024-01-03, AAA)"},
		{file: "empty.csv", rule: RuleEmpty, key: "selection"},
		{file: "empty_file.csv", rule: RuleEmpty, key: "file"},
		{file: "bad_symbol.csv", rule: RuleBadSymbol, key: `symbol "BAD SYM"`},
		{file: "missing_symbol.csv", rule: RuleNullKey, key: "1 rows"},
		{file: "missing_date.csv", rule: RuleNullKey, key: "symbol AAA"},
		{file: "corrupt.parquet", rule: RuleUnreadable, key: "file"},
		{file: "ragged.csv", rule: RuleUnreadable, key: "file"},
		{file: "no_such_file.parquet", rule: RuleUnreadable, key: "file"},
		{file: "*.nothing", rule: RuleNoInput, key: "pattern"},
		{file: "../good/prices.csv", opt: func(o *LoadOptions) { o.Symbols = []string{"AAA", "ZZZ"} }, rule: RuleUnknownSymbol, key: "symbol ZZZ"},
		{file: "../good/prices.csv", opt: func(o *LoadOptions) { d := engine.DateOf(2030, 1, 1); o.From = &d }, rule: RuleEmpty, key: "selection"},
		{file: "../good/prices.csv", opt: func(o *LoadOptions) { o.Columns = map[string]string{"close": "Last"} }, rule: RuleMissingColumn, key: "column Last"},
		{file: "../good/prices.csv", opt: func(o *LoadOptions) { o.Columns = map[string]string{"price": "close"} }, rule: RuleUnknownMapping, key: "--col price=close"},
		{file: "../good/prices.csv", rates: "rates_duplicate_date.csv", rule: RuleDuplicateRates, key: "date 2024-01-02"},
		{file: "../good/prices.csv", rates: "rates_missing_value.csv", rule: RuleBadRates, key: "date 2024-01-03"},
		{file: "../good/prices.csv", rates: "rates_extra_column.csv", rule: RuleMissingColumn, key: "column rate_pct"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		name := c.file
		if c.rates != "" {
			name = c.rates
		}
		t.Run(name, func(t *testing.T) {
			opt := LoadOptions{Paths: []string{filepath.Join("testdata", "bad", c.file)}}
			if c.rates != "" {
				opt.Rates = filepath.Join("testdata", "bad", c.rates)
			}
			if c.opt != nil {
				c.opt(&opt)
			}
			p, info, err := Load(context.Background(), opt)
			if p != nil || info != nil {
				t.Error("got a panel")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T); want *Error", err, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message spans lines: %q", msg)
			}
			if e.Rule != c.rule || !strings.Contains(e.Key, c.key) {
				t.Errorf("rule %q key %q; want %q, key with %q (%s)", e.Rule, e.Key, c.rule, c.key, msg)
			}
			wantFile := filepath.Base(c.file)
			if c.rates != "" {
				wantFile = c.rates
			}
			if c.opt != nil && c.rule == RuleUnknownMapping {
				wantFile = "" // a flag error, not a file's
			}
			if !strings.Contains(msg, wantFile) {
				t.Errorf("message %q does not name %s", msg, wantFile)
			}
			t.Log(msg)
		})
		seen[c.file] = true
		seen[c.rates] = true
	}
	// Every file of the corpus has a case.
	entries, err := os.ReadDir(filepath.Join("testdata", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] && e.Name() != "README.md" {
			t.Errorf("testdata/bad/%s has no case", e.Name())
		}
	}
}
