package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

func parseDataFlags(t *testing.T, args ...string) *dataFlags {
	t.Helper()
	fs := newFlags("test", "", "", &bytes.Buffer{})
	d := addDataFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDataFlagsSample(t *testing.T) {
	d := parseDataFlags(t, "--from", "2023-01-01", "--to", "2023-12-31", "--symbols", "NVDA,AAPL")
	var stderr bytes.Buffer
	p, info, err := d.load(context.Background(), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if p.N() != 2 || p.Symbols[0] != "AAPL" || p.Dates[0] != engine.DateOf(2023, 1, 3) || p.Dates[p.T()-1] != engine.DateOf(2023, 12, 29) {
		t.Errorf("panel %v %s..%s", p.Symbols, p.Dates[0], p.Dates[p.T()-1])
	}
	if p.RatePct() == nil || info.RatesColumn != "target_rate_pct" {
		t.Error("the sample's rates are not attached by default")
	}
	if !strings.Contains(stderr.String(), "returns use adj_close") {
		t.Errorf("stderr does not name the price field:\n%s", stderr.String())
	}
}

func TestDataFlagsRatesNone(t *testing.T) {
	d := parseDataFlags(t, "--rates", "none", "--symbols", "KO")
	p, _, err := d.load(context.Background(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if p.RatePct() != nil {
		t.Error("--rates none attached rates")
	}
}

func TestDataFlagsUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--from", "2023-13-01"},
		{"--to", "yesterday"},
		{"--from", "2023-02-01", "--to", "2023-01-01"},
		{"--col", "close"},
		{"--col", "close=A", "--col", "close=B"},
		{"--duckdb-memory", "lots"},
	} {
		d := parseDataFlags(t, args...)
		_, _, err := d.load(context.Background(), &bytes.Buffer{})
		if !errors.As(err, new(usageError)) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}
