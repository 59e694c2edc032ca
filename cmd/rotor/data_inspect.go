package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/rotor-bt/rotor/datasets"
)

func init() {
	register(&command{
		name:    "data inspect",
		summary: "summarize price files: rows, symbols, dates, columns, gaps, split candidates",
		run:     runDataInspect,
	})
}

func runDataInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data inspect", "[FILES...] [flags]", "Load and validate price files (default: the embedded sample) and print rows,\nsymbols, date range, columns, gaps and split candidates: days on which close\nmoves beyond ±40% more than adj_close (a split that adj_close removes).", stdout)
	d := addDataFlags(fs)
	max := fs.Int("max", 20, "print at most `N` split candidates and symbols with gaps (0 = all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d.data = append(d.data, fs.Args()...)
	if *max < 0 {
		return usagef("data inspect: --max %d: want ≥ 0", *max)
	}
	p, info, err := d.load(ctx, io.Discard)
	if err != nil {
		return err
	}
	ins := datasets.InspectPanel(p, info)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fp := fingerprint(info)
	if len(fp) > 16 {
		fp = fp[:16]
	}
	fmt.Fprintf(w, "files\t%s (%s, sha256 %s)\n", strings.Join(info.Files, ", "), info.Format, fp)
	fmt.Fprintf(w, "columns\t%s\n", strings.Join(info.Schema, ", "))
	for k, v := range info.Columns {
		fmt.Fprintf(w, "mapped\t%s ← %s\n", k, v)
	}
	fmt.Fprintf(w, "rows\t%d\n", info.Rows)
	fmt.Fprintf(w, "symbols\t%d (%s)\n", p.N(), symbolRange(p.Symbols))
	fmt.Fprintf(w, "dates\t%d bars, %s .. %s\n", p.T(), info.From, info.To)
	fmt.Fprintf(w, "returns\t%s\n", info.PriceField)
	if info.RatesColumn != "" {
		fmt.Fprintf(w, "rates\t%s from %s (%d rows)\n", info.RatesColumn, info.RatesFile, info.RatesRows)
	}
	late, early, gappy := 0, 0, 0
	for _, sp := range ins.Spans {
		if sp.First > info.From {
			late++
		}
		if sp.Last < info.To {
			early++
		}
		if sp.Gaps > 0 {
			gappy++
		}
	}
	fmt.Fprintf(w, "missing\t%d of %d cells: %d symbols start after the first bar, %d end before the last, %d have gaps inside their span\n",
		info.Missing, p.T()*p.N(), late, early, gappy)
	if len(ins.CalendarGaps) == 0 {
		fmt.Fprintf(w, "calendar\tno stretch without bars longer than %d days\n", datasets.MaxCalendarGap)
	} else {
		g := ins.CalendarGaps[0]
		for _, x := range ins.CalendarGaps {
			if x.Before-x.After > g.Before-g.After {
				g = x
			}
		}
		fmt.Fprintf(w, "calendar\t%d stretches without bars longer than %d days; longest %s .. %s (%d days)\n",
			len(ins.CalendarGaps), datasets.MaxCalendarGap, g.After, g.Before, g.Before-g.After)
	}
	w.Flush()
	if gappy > 0 {
		fmt.Fprintf(stdout, "\nsymbols with gaps (bars without a price between their first and last):\n")
		n := 0
		for _, sp := range ins.Spans {
			if sp.Gaps > 0 && (*max == 0 || n < *max) {
				fmt.Fprintf(stdout, "  %-10s %d of %d bars missing (%s .. %s)\n", sp.Symbol, sp.Gaps, sp.Gaps+sp.Bars, sp.First, sp.Last)
				n++
			}
		}
		if n < gappy {
			fmt.Fprintf(stdout, "  … %d more (--max 0 for all)\n", gappy-n)
		}
	}
	c := ins.SplitCandidates
	fmt.Fprintf(stdout, "\nsplit candidates: %d", len(c))
	if !hasAdj(info) {
		fmt.Fprintf(stdout, " (no adj_close: every close move beyond ±40%%)")
	}
	fmt.Fprintln(stdout)
	if len(c) == 0 {
		return nil
	}
	w = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "  date\tsymbol\tclose move\tadj_close move\timplied split\t")
	for k, x := range c {
		if *max > 0 && k == *max {
			w.Flush()
			fmt.Fprintf(stdout, "  … %d more (--max 0 for all)\n", len(c)-k)
			return nil
		}
		fmt.Fprintf(w, "  %s\t%s\t%+.1f%%\t%s\t%s\t\n", x.Date, x.Symbol, 100*x.CloseMove, pct(x.AdjMove), splitName(x.Ratio))
	}
	return w.Flush()
}

func hasAdj(info *datasets.Info) bool { return info.PriceField.String() == "adj_close" }

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", 100*v)
}

// splitName names an implied split ratio: 4:1 for 4 new shares per old,
// 1:10 for a reverse split, 3:2 and the like when close to a simple
// fraction.
func splitName(r float64) string {
	if math.IsNaN(r) {
		return "-"
	}
	for den := 1; den <= 4; den++ {
		for num := 1; num <= 100; num++ {
			f := float64(num) / float64(den)
			if math.Abs(r/f-1) < 0.03 && gcd(num, den) == 1 {
				return fmt.Sprintf("%d:%d", num, den)
			}
			if math.Abs(r*f-1) < 0.03 && gcd(num, den) == 1 {
				return fmt.Sprintf("%d:%d", den, num)
			}
		}
	}
	return fmt.Sprintf("×%.3g", r)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func symbolRange(s []string) string {
	if len(s) <= 8 {
		return strings.Join(s, " ")
	}
	return strings.Join(s[:4], " ") + " … " + strings.Join(s[len(s)-2:], " ")
}
