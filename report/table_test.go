package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestTableFormats(t *testing.T) {
	tb := &Table{
		Title:   "t",
		Columns: []string{"name", "sharpe"},
		Rows:    [][]string{{"a", "1.50"}, {"bb", "NaN"}},
		Values:  [][]any{{"a", 1.5}, {"bb", math.NaN()}},
		Footer:  []string{"fill close"},
	}
	var b bytes.Buffer
	if err := tb.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "t\nname  sharpe\n----  ------\na       1.50\nbb       NaN\nfill close\n"
	if b.String() != want {
		t.Errorf("text:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	tb.WriteCSV(&b)
	if b.String() != "name,sharpe\na,1.5\nbb,NaN\n" {
		t.Errorf("csv: %q", b.String())
	}
	b.Reset()
	tb.WriteJSON(&b)
	if !strings.Contains(b.String(), `"sharpe": null`) || !strings.Contains(b.String(), `"sharpe": 1.5`) {
		t.Errorf("json: %s", b.String())
	}
	b.Reset()
	tb.WriteMarkdown(&b)
	if !strings.Contains(b.String(), "| bb | NaN |") || !strings.Contains(b.String(), "_fill close_") {
		t.Errorf("md: %s", b.String())
	}
	if err := tb.Write(&b, "xml"); err == nil || !strings.Contains(err.Error(), Formats) {
		t.Errorf("bad format error: %v", err)
	}
}
