package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// Study is the flagship rate-cut study (SEMANTICS §7) as a report shows it:
// the rate path with its events, the rotated and base portfolios over the
// whole run and around each event, and the study's tables.
type Study struct {
	Title    string // default "Mega-cap rotation on the first rate cut"
	Subtitle string
	Notes    []string // paragraphs under the title

	// Rates is the whole rates series (all rows, also those before the
	// first price bar); the chart draws it as a step line.
	Rates *engine.Rates
	// Events are the first cuts (or hikes) found in Rates; those inside the
	// run's calendar get an event window.
	Events []engine.Event

	Dates       []engine.Date // the run's calendar
	Base        []float64     // equity of the base (cap-weighted) portfolio, length T
	Rotated     []float64     // equity of the rotated strategy, length T
	BaseName    string        // default "base (cap weight)"
	RotatedName string        // default "rotated"

	// Lag is the strategy's lag in bars (the switch bar is marked at
	// event + Lag); Hold, when > 0, marks the exit at switch + Hold.
	Lag, Hold int
	// Before and After are the bars shown around each event (default 63
	// and 252).
	Before, After int

	Tables      []*Table // concentration, rotation sweep, …
	Conventions []string
}

// StudyWindow is one event window: both portfolios rebased to 1 on the
// event bar.
type StudyWindow struct {
	Event            engine.Event
	Bar              int // event bar on the calendar
	From, To         int // bars shown, inclusive
	Base, Rotated    []float64
	BaseRet, RotRet  float64 // return from the event bar to To
	SwitchBar, Exit  int     // -1 when outside the window
	Dates            []engine.Date
	AfterBars, Shown int
}

func (s *Study) window() (int, int) {
	b, a := s.Before, s.After
	if b <= 0 {
		b = 63
	}
	if a <= 0 {
		a = 252
	}
	return b, a
}

// Windows returns the event windows of the events inside the calendar.
func (s *Study) Windows() []StudyWindow {
	before, after := s.window()
	bars, _ := engine.EventBars(s.Dates, s.Events)
	var inside []engine.Event
	for _, e := range s.Events {
		if len(s.Dates) > 0 && e.Date >= s.Dates[0] && e.Date <= s.Dates[len(s.Dates)-1] {
			inside = append(inside, e)
		}
	}
	var out []StudyWindow
	for k, tau := range bars {
		from, to := max(0, tau-before), min(len(s.Dates)-1, tau+after)
		w := StudyWindow{Event: inside[k], Bar: tau, From: from, To: to, SwitchBar: -1, Exit: -1,
			Dates: s.Dates[from : to+1]}
		w.Base = rebase(s.Base[from:to+1], s.Base[tau])
		w.Rotated = rebase(s.Rotated[from:to+1], s.Rotated[tau])
		w.BaseRet = s.Base[to]/s.Base[tau] - 1
		w.RotRet = s.Rotated[to]/s.Rotated[tau] - 1
		if sw := tau + s.Lag; sw <= to {
			w.SwitchBar = sw
			if s.Hold > 0 && sw+s.Hold <= to {
				w.Exit = sw + s.Hold
			}
		}
		out = append(out, w)
	}
	return out
}

func rebase(v []float64, at float64) []float64 {
	out := make([]float64, len(v))
	for k, x := range v {
		out[k] = x / at
	}
	return out
}

// EventTable lists every event of the rates series with the portfolios'
// returns after it (events outside the calendar are listed without).
func (s *Study) EventTable() *Table {
	_, after := s.window()
	t := &Table{Title: "Rate events", Columns: []string{"event", "date (series)", "rate from", "rate to", "bar",
		fmt.Sprintf("rotated, %d bars", after), fmt.Sprintf("base, %d bars", after), "difference"}}
	var early []string
	ws := map[engine.Date]StudyWindow{}
	for _, w := range s.Windows() {
		ws[w.Event.Date] = w
	}
	for _, e := range s.Events {
		row := []string{e.Kind.String(), e.Date.String(), Num(e.From, 2) + "%", Num(e.To, 2) + "%"}
		vals := []any{e.Kind.String(), e.Date.String(), e.From, e.To}
		if w, ok := ws[e.Date]; ok {
			n := w.To - w.Bar
			row = append(row, s.Dates[w.Bar].String(), Pct(w.RotRet, 2), Pct(w.BaseRet, 2), Pct(w.RotRet-w.BaseRet, 2))
			vals = append(vals, s.Dates[w.Bar].String(), w.RotRet, w.BaseRet, w.RotRet-w.BaseRet)
			if n < after {
				row[len(row)-1] += fmt.Sprintf(" (%d bars)", n)
			}
		} else if len(s.Dates) > 0 && e.Date < s.Dates[0] {
			early = append(early, e.Date.String())
			continue
		} else {
			row = append(row, "before the data", "", "", "")
			if len(s.Dates) > 0 && e.Date > s.Dates[len(s.Dates)-1] {
				row[4] = "after the data"
			}
			vals = append(vals, row[4], math.NaN(), math.NaN(), math.NaN())
		}
		t.Rows = append(t.Rows, row)
		t.Values = append(t.Values, vals)
	}
	t.Footer = append(t.Footer, fmt.Sprintf("rotated: %s; base: %s; returns from the event bar over the next %d bars (fewer at the end of the data)", s.rotatedName(), s.baseName(), after))
	if len(early) > 0 {
		t.Footer = append(t.Footer, fmt.Sprintf("%d earlier events, before the price data: %s", len(early), strings.Join(early, ", ")))
	}
	t.Footer = append(t.Footer, s.Conventions...)
	return t
}

func (s *Study) baseName() string {
	if s.BaseName != "" {
		return s.BaseName
	}
	return "base (cap weight)"
}

func (s *Study) rotatedName() string {
	if s.RotatedName != "" {
		return s.RotatedName
	}
	return "rotated"
}

// Render writes the study report.
func (s *Study) Render(w io.Writer) error {
	T := len(s.Dates)
	if T < 2 || len(s.Base) != T || len(s.Rotated) != T {
		return fmt.Errorf("report: study needs base and rotated equity on the calendar (%d dates, %d base, %d rotated values)", T, len(s.Base), len(s.Rotated))
	}
	title := s.Title
	if title == "" {
		title = "Mega-cap rotation on the first rate cut"
	}
	p := newPage(title, s.Subtitle)
	for _, n := range s.Notes {
		p.para(n)
	}
	p.conventions(s.Conventions)

	kind := "first cut"
	if len(s.Events) > 0 && s.Events[0].Kind == engine.FirstHike {
		kind = "first hike"
	}
	var markers []Marker
	for _, e := range s.Events {
		markers = append(markers, Marker{Date: e.Date, Label: kind + " " + e.Date.String()})
	}
	if s.Rates != nil && len(s.Rates.Dates) > 0 {
		p.h2("Rate path")
		name := s.Rates.Name
		if name == "" {
			name = "rate"
		}
		rc := &LineChart{Title: "Rate path", YLabel: "rate (% per year)", Height: 280,
			Series:  []Series{{Name: name, Dates: s.Rates.Dates, Values: s.Rates.Pct, Step: true}},
			Markers: markers}
		rc.To = max(s.Rates.Dates[len(s.Rates.Dates)-1], s.Dates[T-1])
		rc.From = s.Rates.Dates[0]
		rc.Bands = []Band{{From: s.Dates[0], To: s.Dates[T-1], Label: "price data"}}
		rc.Markers = append([]Marker(nil), markers...)
		for k := range rc.Markers {
			rc.Markers[k].Label = rc.Markers[k].Date.String()
		}
		p.figure(rc.SVG(), fmt.Sprintf("%s, %s to %s, as a step series (each value holds until the next row); dashed lines mark the %ss found by the rule of SEMANTICS §7 (labelled with the series' date where there is room). The shaded range is the price data, %s to %s.",
			name, s.Rates.Dates[0], s.Rates.Dates[len(s.Rates.Dates)-1], kind, s.Dates[0], s.Dates[T-1]))
	}

	p.h2("Rotated vs base over the whole run")
	ec := &LineChart{Title: "Rotated vs base equity", YLabel: "equity (× initial capital)", Markers: markers,
		Series: []Series{{Name: s.rotatedName(), Dates: s.Dates, Values: s.Rotated}, {Name: s.baseName(), Dates: s.Dates, Values: s.Base}}}
	one := s.Base[0]
	ec.Ref = &one
	ec.From, ec.To = s.Dates[0], s.Dates[T-1]
	p.figure(ec.SVG(), fmt.Sprintf("Equity at the close of each bar, %s to %s: %s final %s, %s final %s.",
		s.Dates[0], s.Dates[T-1], s.rotatedName(), formatValue(s.Rotated[T-1], Plain), s.baseName(), formatValue(s.Base[T-1], Plain)))

	p.h2("Around each event")
	_, after := s.window()
	ws := s.Windows()
	if len(ws) == 0 {
		p.note("No event falls inside the price data, so there is no event window to show.")
	}
	for _, w := range ws {
		p.h3(fmt.Sprintf("%s %s (%.2f%% → %.2f%%), bar %s", kind, w.Event.Date, w.Event.From, w.Event.To, s.Dates[w.Bar]))
		wm := []Marker{{Date: s.Dates[w.Bar], Label: kind}}
		if w.SwitchBar >= 0 && w.SwitchBar != w.Bar {
			wm = append(wm, Marker{Date: s.Dates[w.SwitchBar], Label: fmt.Sprintf("switch (lag %d)", s.Lag), Color: "#2f6f3e"})
		}
		if w.Exit >= 0 {
			wm = append(wm, Marker{Date: s.Dates[w.Exit], Label: fmt.Sprintf("exit (hold %d)", s.Hold), Color: "#555"})
		}
		one := 1.0
		c := &LineChart{Title: "Event window " + w.Event.Date.String(), YLabel: "value (1 = event bar)", Height: 280, Ref: &one,
			Series:  []Series{{Name: s.rotatedName(), Dates: w.Dates, Values: w.Rotated}, {Name: s.baseName(), Dates: w.Dates, Values: w.Base}},
			Markers: wm}
		p.figure(c.SVG(), fmt.Sprintf("Both portfolios rebased to 1 on the event bar; %d bars before and up to %d after. Over the %d bars after the event: %s %s, %s %s.",
			w.Bar-w.From, after, w.To-w.Bar, s.rotatedName(), Pct(w.RotRet, 2), s.baseName(), Pct(w.BaseRet, 2)))
	}

	p.h2("Events")
	p.table(s.EventTable())
	for _, t := range s.Tables {
		p.h2(t.Title)
		tt := *t
		tt.Title = ""
		p.table(&tt)
	}
	return p.finish(w, "")
}
