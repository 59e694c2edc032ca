package report

import (
	"fmt"
	"math"
	"strconv"

	"github.com/rotor-bt/rotor/engine"
)

// Series is one line of a date chart. Values[k] belongs to Dates[k]; a NaN
// value breaks the line.
type Series struct {
	Name   string
	Dates  []engine.Date
	Values []float64
	Color  string // default: the palette colour of the series' position
	Step   bool   // hold each value until the next date (a rates series); the last value extends to the right edge
	Fill   bool   // shade between the line and zero (drawdowns)
	Dashed bool
}

// Marker is a vertical line at a date with a label (an event).
type Marker struct {
	Date  engine.Date
	Label string
	Color string // default dark red
}

// Band shades a date range behind the series (e.g. the range of the price
// data on a longer rates chart).
type Band struct {
	From, To engine.Date
	Label    string
}

// LineChart is a chart of one or more series over dates: x is the
// calendar (ticks on month/quarter/year starts chosen from the width), y
// is linear or log10 with round ticks, labelled with YLabel (say the unit).
type LineChart struct {
	Title   string // accessible name of the chart
	YLabel  string // axis title with its unit, e.g. "equity (× initial capital)"
	Width   float64
	Height  float64
	Series  []Series
	Markers []Marker
	Log     bool   // log10 y axis (values ≤ 0 are not drawn)
	Format  Format // y tick labels
	Ref     *float64
	Bands   []Band
	// From and To restrict the x range (zero: the data's range).
	From, To engine.Date
}

// chartMargins are the pixel margins of a chart's plot area.
type chartMargins struct{ left, right, top, bottom float64 }

// SVG renders the chart as an <svg> element.
func (c *LineChart) SVG() string {
	W, H := c.Width, c.Height
	if W <= 0 {
		W = 1100
	}
	if H <= 0 {
		H = 320
	}
	// X range.
	lo, hi := c.From, c.To
	if lo == 0 && hi == 0 {
		first := true
		for _, s := range c.Series {
			if len(s.Dates) == 0 {
				continue
			}
			a, b := s.Dates[0], s.Dates[len(s.Dates)-1]
			if first || a < lo {
				lo = a
			}
			if first || b > hi {
				hi = b
			}
			first = false
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	// Y range over the visible points.
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for k, v := range s.Values {
			d := s.Dates[k]
			if d < lo && !s.Step || d > hi || math.IsNaN(v) || math.IsInf(v, 0) || c.Log && v <= 0 {
				continue
			}
			ylo, yhi = math.Min(ylo, v), math.Max(yhi, v)
		}
		if s.Fill && !c.Log {
			ylo, yhi = math.Min(ylo, 0), math.Max(yhi, 0)
		}
	}
	if c.Ref != nil && !(c.Log && *c.Ref <= 0) {
		ylo, yhi = math.Min(ylo, *c.Ref), math.Max(yhi, *c.Ref)
	}
	if math.IsInf(ylo, 0) {
		ylo, yhi = 0, 1
		if c.Log {
			ylo = 1
		}
	}

	// Legend rows and marker label rows sit above the plot.
	m := chartMargins{right: 24, top: 8, bottom: 40}
	type legendItem struct {
		x, row float64
		name   string
		color  string
		dashed bool
	}
	var items []legendItem
	{
		x, row := 0.0, 0.0
		for i, s := range c.Series {
			if s.Name == "" {
				continue
			}
			w := 22 + textWidth(s.Name) + 18
			if x > 0 && x+w > W-80 {
				x, row = 0, row+1
			}
			items = append(items, legendItem{x, row, s.Name, seriesColor(s, i), s.Dashed})
			x += w
		}
		if len(items) > 0 {
			m.top += (items[len(items)-1].row + 1) * lineHeight
		}
	}
	markerTop := m.top
	// Y ticks need the plot height, which depends on the marker rows:
	// place marker labels first with a provisional left margin.
	provLeft := 70.0
	mrows := placeMarkers(c.Markers, lo, hi, provLeft, W-m.right)
	nrows := 0
	for _, r := range mrows {
		if r+1 > nrows {
			nrows = r + 1
		}
	}
	m.top += float64(nrows)*lineHeight + 6
	plotH := H - m.top - m.bottom
	maxTicks := int(plotH/34) + 1
	var yt []float64
	var ystep float64
	if c.Log {
		// Less than a decade: round linear bounds read better (and stay
		// positive); otherwise pad the data range in log space.
		if _, step := niceTicks(ylo, yhi, maxTicks); yhi < 10*ylo && math.Floor(ylo/step*5)*step/5 > 0 {
			ylo, yhi = math.Floor(ylo/step*5)*step/5, math.Ceil(yhi/step*5)*step/5
		} else {
			ylo, yhi = niceDomain(ylo, yhi, maxTicks, true)
		}
		yt = logTicks(ylo, yhi, maxTicks)
		if len(yt) > 1 {
			ystep = yt[1] - yt[0]
			for k := 2; k < len(yt); k++ {
				ystep = math.Min(ystep, yt[k]-yt[k-1])
			}
		}
	} else {
		ylo, yhi = niceDomain(ylo, yhi, maxTicks, false)
		yt, ystep = niceTicks(ylo, yhi, maxTicks)
	}
	labels := make([]string, len(yt))
	maxw := 0.0
	for k, v := range yt {
		labels[k] = formatTick(v, ystep, c.Format)
		if c.Log && ystep == 0 {
			labels[k] = formatValue(v, c.Format)
		}
		maxw = math.Max(maxw, textWidth(labels[k]))
	}
	m.left = math.Max(maxw+10+20, 72) // a common minimum keeps stacked charts aligned
	if m.left != provLeft {
		mrows = placeMarkers(c.Markers, lo, hi, m.left, W-m.right)
	}
	plotW := W - m.left - m.right
	xs := newScale(float64(lo), float64(hi), m.left, m.left+plotW, false)
	ys := newScale(ylo, yhi, m.top+plotH, m.top, c.Log)

	var b svgBuilder
	ydom := fmt.Sprintf("%s,%s", floatAttr(ylo), floatAttr(yhi))
	b.open(W, H, "chart", c.Title, fmt.Sprintf(` data-plot="%s,%s,%s,%s" data-x-domain="%s,%s" data-y-domain="%s" data-y-log="%t"`,
		coord(m.left), coord(m.top), coord(plotW), coord(plotH), lo, hi, ydom, c.Log))
	for _, bd := range c.Bands {
		a, e := max(bd.From, lo), min(bd.To, hi)
		if e <= a {
			continue
		}
		x0, x1 := xs.at(float64(a)), xs.at(float64(e))
		b.WriteString(`<g class="band"><title>` + esc(bd.Label) + `</title>`)
		b.rect(x0, m.top, x1-x0, plotH, "#eef3f8", "")
		if textWidth(bd.Label)+8 < x1-x0 {
			b.text((x0+x1)/2, m.top+13, "middle", "tick", bd.Label)
		}
		b.WriteString(`</g>`)
	}
	// Grid and y ticks.
	b.WriteString(`<g class="axis">`)
	ypos := make([]float64, len(yt))
	yw := make([]float64, len(yt))
	for k, v := range yt {
		ypos[len(yt)-1-k] = ys.at(v)
		yw[len(yt)-1-k] = lineHeight
	}
	keep := thinLabels(ypos, yw, 2)
	for _, j := range keep {
		k := len(yt) - 1 - j
		y := ys.at(yt[k])
		b.line(m.left, y, m.left+plotW, y, "grid")
		b.text(m.left-6, y+4, "end", "tick", labels[k])
	}
	if c.Ref != nil && !(c.Log && *c.Ref <= 0) {
		y := ys.at(*c.Ref)
		b.line(m.left, y, m.left+plotW, y, "ref")
	}
	// X ticks.
	dt := dateTicks(lo, hi, plotW)
	for _, t := range dt {
		x := xs.at(float64(t.d))
		b.line(x, m.top+plotH, x, m.top+plotH+4, "tickmark")
		b.line(x, m.top, x, m.top+plotH, "grid grid-x")
		anchor := "middle"
		tx := x
		if x+textWidth(t.label)/2 > W-2 {
			anchor, tx = "end", W-2
		}
		b.text(tx, m.top+plotH+17, anchor, "tick", t.label)
	}
	b.line(m.left, m.top+plotH, m.left+plotW, m.top+plotH, "frame")
	b.line(m.left, m.top, m.left, m.top+plotH, "frame")
	b.text(m.left+plotW/2, H-6, "middle", "axis-title", "date")
	// Y axis title, rotated.
	b.WriteString(`<text class="axis-title" text-anchor="middle" transform="translate(12,`)
	b.num(m.top + plotH/2)
	b.WriteString(`) rotate(-90)">` + esc(c.YLabel) + `</text>`)
	b.WriteString(`</g>`)

	// Series.
	for i, s := range c.Series {
		writeSeriesPath(&b, s, seriesColor(s, i), xs, ys, lo, hi, c.Log)
	}

	// Markers.
	for k, mk := range c.Markers {
		if mk.Date < lo || mk.Date > hi {
			continue
		}
		col := markerColor(mk.Color)
		x := xs.at(float64(mk.Date))
		b.WriteString(`<g class="marker" data-date="` + mk.Date.String() + `"><title>` + esc(mk.Label) + `</title>`)
		b.markerLine(x, m.top, m.top+plotH, col)
		if r := mrows[k]; r >= 0 {
			y := markerTop + float64(r)*lineHeight + 11
			tx, anchor := markerLabelX(x, mk.Label, m.left+plotW)
			b.WriteString(`<text x="`)
			b.num(tx)
			b.WriteString(`" y="`)
			b.num(y)
			b.WriteString(`" fill="` + col + `" class="mlabel"`)
			if anchor != "start" {
				b.WriteString(` text-anchor="` + anchor + `"`)
			}
			b.WriteString(`>` + esc(mk.Label) + `</text>`)
		}
		b.WriteString(`</g>`)
	}

	// Legend.
	for _, it := range items {
		y := 8 + it.row*lineHeight
		x := m.left + it.x
		dash := ""
		if it.dashed {
			dash = ` stroke-dasharray="5 3"`
		}
		b.WriteString(`<line x1="`)
		b.num(x)
		b.WriteString(`" y1="`)
		b.num(y + 6)
		b.WriteString(`" x2="`)
		b.num(x + 16)
		b.WriteString(`" y2="`)
		b.num(y + 6)
		b.WriteString(`" stroke="` + it.color + `" stroke-width="2.5"` + dash + `/>`)
		b.text(x+22, y+10, "", "legend", it.name)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func seriesColor(s Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return palette[i%len(palette)]
}

// markerLabelX places a marker label right of its line, or left of it when
// it would cross the plot's right edge.
func markerLabelX(x float64, label string, right float64) (float64, string) {
	if x+4+textWidth(label) > right {
		return x - 4, "end"
	}
	return x + 4, "start"
}

// placeMarkers assigns each marker label to the first of three rows where
// it does not overlap a label already there; -1 means no room (the label
// stays in the marker's tooltip).
func placeMarkers(ms []Marker, lo, hi engine.Date, left, right float64) []int {
	const maxRows = 3
	rows := make([]int, len(ms))
	type span struct{ a, b float64 }
	used := make([][]span, maxRows)
	xs := newScale(float64(lo), float64(hi), left, right, false)
	for k, mk := range ms {
		rows[k] = -1
		if mk.Date < lo || mk.Date > hi || mk.Label == "" {
			continue
		}
		x := xs.at(float64(mk.Date))
		tx, anchor := markerLabelX(x, mk.Label, right)
		a, bb := tx, tx+textWidth(mk.Label)
		if anchor == "end" {
			a, bb = tx-textWidth(mk.Label), tx
		}
		for r := 0; r < maxRows; r++ {
			free := true
			for _, s := range used[r] {
				if a < s.b+8 && bb > s.a-8 {
					free = false
					break
				}
			}
			if free {
				used[r] = append(used[r], span{a, bb})
				rows[k] = r
				break
			}
		}
	}
	return rows
}

// writeSeriesPath draws one series: finite runs become subpaths, each
// downsampled to the first, lowest, highest and last point of every pixel
// column (the drawn envelope is that of the full series, and the last
// point is exact). The element carries data-last-date/data-last-value,
// the series' last finite point, for readers and tests.
func writeSeriesPath(b *svgBuilder, s Series, color string, xs, ys linScale, lo, hi engine.Date, log bool) {
	ok := func(k int) bool {
		v := s.Values[k]
		d := s.Dates[k]
		return !math.IsNaN(v) && !math.IsInf(v, 0) && !(log && v <= 0) && d <= hi && (d >= lo || s.Step)
	}
	lastK := -1
	for k := len(s.Values) - 1; k >= 0; k-- {
		if ok(k) {
			lastK = k
			break
		}
	}
	var d, fill, run []byte
	px := func(k int) float64 {
		dd := s.Dates[k]
		if dd < lo {
			dd = lo
		}
		return xs.at(float64(dd))
	}
	y0 := ys.at(0)
	idx := make([]int, 0, 64)
	n := len(s.Values)
	for a := 0; a < n; {
		if !ok(a) {
			a++
			continue
		}
		e := a
		for e < n && ok(e) {
			e++
		}
		idx = appendDownsampled(idx[:0], px, s.Values, a, e)
		run = run[:0]
		for j, k := range idx {
			x, y := px(k), ys.at(s.Values[k])
			if j == 0 {
				run = append(run, 'M')
			} else {
				run = append(run, 'L')
				if s.Step {
					run = append(run, coord(x)...)
					run = append(run, ',')
					run = append(run, coord(ys.at(s.Values[idx[j-1]]))...)
					run = append(run, 'L')
				}
			}
			run = append(run, coord(x)...)
			run = append(run, ',')
			run = append(run, coord(y)...)
		}
		if s.Step && e == n {
			// The last value holds to the right edge.
			run = append(run, 'L')
			run = append(run, coord(xs.at(float64(hi)))...)
			run = append(run, ',')
			run = append(run, coord(ys.at(s.Values[e-1]))...)
		}
		d = append(d, run...)
		if s.Fill && !log {
			fill = append(fill, run...)
			fill = append(fill, 'L')
			fill = append(fill, coord(px(idx[len(idx)-1]))...)
			fill = append(fill, ',')
			fill = append(fill, coord(y0)...)
			fill = append(fill, 'L')
			fill = append(fill, coord(px(idx[0]))...)
			fill = append(fill, ',')
			fill = append(fill, coord(y0)...)
			fill = append(fill, 'Z')
		}
		a = e
	}
	if len(fill) > 0 {
		b.WriteString(`<path class="area" d="` + string(fill) + `" fill="` + color + `" fill-opacity="0.25" stroke="none"/>`)
	}
	b.WriteString(`<path class="series" data-series="` + esc(s.Name) + `"`)
	if lastK >= 0 {
		b.WriteString(` data-last-date="` + s.Dates[lastK].String() + `" data-last-value="` + strconv.FormatFloat(s.Values[lastK], 'g', -1, 64) + `"`)
	}
	dash := ""
	if s.Dashed {
		dash = ` stroke-dasharray="6 4"`
	}
	b.WriteString(` d="` + string(d) + `" fill="none" stroke="` + color + `" stroke-width="1.6" stroke-linejoin="round"` + dash + `/>`)
}

// appendDownsampled appends to dst the indices in [a, e) to draw: per
// pixel column (the integer part of px), the first, the lowest, the highest
// and the last point, in index order without repeats. The first and last
// index of the run are always included.
func appendDownsampled(dst []int, px func(int) float64, v []float64, a, e int) []int {
	for k := a; k < e; {
		col := math.Floor(px(k))
		first, lo, hi, last := k, k, k, k
		j := k + 1
		for ; j < e && math.Floor(px(j)) == col; j++ {
			if v[j] < v[lo] {
				lo = j
			}
			if v[j] > v[hi] {
				hi = j
			}
			last = j
		}
		pts := [4]int{first, lo, hi, last}
		// Sort the four indices (insertion sort) and drop repeats.
		for x := 1; x < 4; x++ {
			for y := x; y > 0 && pts[y] < pts[y-1]; y-- {
				pts[y], pts[y-1] = pts[y-1], pts[y]
			}
		}
		for x, p := range pts {
			if x == 0 || p != pts[x-1] {
				dst = append(dst, p)
			}
		}
		k = j
	}
	return dst
}
