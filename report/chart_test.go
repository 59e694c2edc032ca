package report

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

// Date ticks never overlap: for spans from two weeks to 40 years and
// plot widths from 300 to 1400 px, neighbouring labels (at the estimated
// width) are at least labelGap apart, and there are at least 2 ticks.
func TestDateTicksDoNotOverlap(t *testing.T) {
	lo := engine.DateOf(1985, 3, 7)
	for _, span := range []int{14, 45, 100, 400, 1000, 2000, 5000, 15000} {
		for _, w := range []float64{300, 500, 800, 1100, 1400} {
			hi := lo + engine.Date(span)
			ticks := dateTicks(lo, hi, w)
			if len(ticks) < 2 && (span >= 100 || w >= 500) {
				t.Errorf("span %d days, width %v: %d ticks", span, w, len(ticks))
			}
			xs := newScale(float64(lo), float64(hi), 0, w, false)
			for k := 1; k < len(ticks); k++ {
				gap := xs.at(float64(ticks[k].d)) - xs.at(float64(ticks[k-1].d))
				need := (textWidth(ticks[k].label)+textWidth(ticks[k-1].label))/2 + labelGap*0.5
				if gap < need {
					t.Errorf("span %d, width %v: %q and %q are %.0f px apart, need %.0f", span, w, ticks[k-1].label, ticks[k].label, gap, need)
				}
				if ticks[k].d <= ticks[k-1].d || ticks[k].d < lo || ticks[k].d > hi {
					t.Errorf("span %d, width %v: tick %s out of order or range", span, w, ticks[k].d)
				}
			}
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   string
	}{
		{0, 1, 6, "0 0.2 0.4 0.6 0.8 1"},
		{-0.31, 0, 5, "-0.3 -0.2 -0.1 0"},
		{0.8, 1.8, 7, "0.8 1 1.2 1.4 1.6 1.8"},
		{0, 120000, 5, "0 50000 100000"},
	} {
		got, _ := niceTicks(c.lo, c.hi, c.n)
		var s []string
		for _, v := range got {
			s = append(s, strconv.FormatFloat(v, 'g', -1, 64))
		}
		if strings.Join(s, " ") != c.want {
			t.Errorf("niceTicks(%v, %v, %d) = %v, want %s", c.lo, c.hi, c.n, s, c.want)
		}
	}
	if got := formatTick(0.25, 0.05, Percent); got != "25%" {
		t.Errorf("percent tick %q", got)
	}
	if got := formatTick(1234567, 500000, Plain); got != "1,234,567" {
		t.Errorf("plain tick %q", got)
	}
	if got := formatTick(0.125, 0.025, Plain); got != "0.125" {
		t.Errorf("fine tick %q", got)
	}
}

// Y labels of a line chart are distinct (formatting never collapses two
// ticks into one label) and spaced at least a line apart, for scales from
// tiny to huge and both linear and log axes.
func TestLineChartYLabels(t *testing.T) {
	dates := weekdays(engine.DateOf(2020, 1, 1), 500)
	label := regexp.MustCompile(`<text x="[0-9.]+" y="([0-9.]+)" text-anchor="end" class="tick">([^<]*)</text>`)
	for _, sc := range []float64{1e-4, 0.01, 1, 37, 1e4, 1e7} {
		for _, log := range []bool{false, true} {
			for _, h := range []float64{200, 320, 600} {
				v := randomWalk(7, len(dates), sc, 0.001, 0.02)
				c := &LineChart{Series: []Series{{Name: "s", Dates: dates, Values: v}}, Log: log, Height: h}
				m := label.FindAllStringSubmatch(c.SVG(), -1)
				if len(m) < 2 {
					t.Errorf("scale %g log %v height %v: %d y labels", sc, log, h, len(m))
					continue
				}
				seen := map[string]bool{}
				for k, x := range m {
					if seen[x[2]] {
						t.Errorf("scale %g log %v: duplicate label %q", sc, log, x[2])
					}
					seen[x[2]] = true
					if k > 0 {
						y0, _ := strconv.ParseFloat(m[k-1][1], 64)
						y1, _ := strconv.ParseFloat(x[1], 64)
						if math.Abs(y1-y0) < lineHeight-2 {
							t.Errorf("scale %g log %v height %v: labels %q and %q %.0f px apart", sc, log, h, m[k-1][2], x[2], math.Abs(y1-y0))
						}
					}
				}
			}
		}
	}
}

// A long series is drawn with at most four points per pixel column, its
// envelope kept (the extremes are drawn) and its last point exact.
func TestDownsample(t *testing.T) {
	dates := weekdays(engine.DateOf(1990, 1, 1), 100_000)
	v := randomWalk(3, len(dates), 1, 0.0002, 0.01)
	top := 0.0
	for _, x := range v {
		top = math.Max(top, x)
	}
	v[50_000] = 3 * top // a spike must survive downsampling
	v[70_000] = math.NaN()
	c := &LineChart{Series: []Series{{Name: "long", Dates: dates, Values: v}}, Width: 800}
	svg := c.SVG()
	d := regexp.MustCompile(`data-series="long"[^>]* d="([^"]*)"`).FindStringSubmatch(svg)
	if d == nil {
		t.Fatal("no path")
	}
	pts := pathPoint.FindAllStringSubmatch(d[1], -1)
	if len(pts) > 4*800+8 {
		t.Errorf("%d points drawn for an 800 px chart", len(pts))
	}
	if n := strings.Count(d[1], "M"); n != 2 {
		t.Errorf("%d subpaths, want 2 (the NaN breaks the line)", n)
	}
	minY := math.Inf(1)
	for _, p := range pts {
		y, _ := strconv.ParseFloat(p[2], 64)
		minY = math.Min(minY, y)
	}
	if !strings.Contains(svg, `data-last-value="`+strconv.FormatFloat(v[len(v)-1], 'g', -1, 64)+`"`) {
		t.Error("last value not recorded")
	}
	// The spike is the highest point: the smallest y drawn, near the top of
	// the plot (the axis ends on the next round number above it).
	var left, w, h float64
	if _, err := fmtSscan(svg, &left, &top, &w, &h); err != nil {
		t.Fatal(err)
	}
	yd := regexp.MustCompile(`data-y-domain="([^,]*),([^"]*)"`).FindStringSubmatch(svg)
	y0, _ := strconv.ParseFloat(yd[1], 64)
	y1, _ := strconv.ParseFloat(yd[2], 64)
	if want := top + h - (v[50_000]-y0)/(y1-y0)*h; math.Abs(minY-want) > 0.1 {
		t.Errorf("spike drawn at y=%v, want %v", minY, want)
	}
	idx := appendDownsampled(nil, func(k int) float64 { return float64(k) / 10 }, v[:1000], 0, 1000)
	if idx[0] != 0 || idx[len(idx)-1] != 999 {
		t.Errorf("downsampled run must keep its first and last points: %v…%v", idx[0], idx[len(idx)-1])
	}
}
