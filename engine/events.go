package engine

import "fmt"

// EventKind is a turn of the rate cycle.
type EventKind uint8

const (
	// FirstCut is a decrease with at least one increase since the previous
	// decrease: the start of an easing cycle.
	FirstCut EventKind = iota
	// FirstHike is an increase with at least one decrease since the
	// previous increase: the start of a tightening cycle.
	FirstHike
)

func (k EventKind) String() string {
	switch k {
	case FirstCut:
		return "first_cut"
	case FirstHike:
		return "first_hike"
	}
	return fmt.Sprintf("EventKind(%d)", k)
}

// ParseEventKind parses first_cut or first_hike.
func ParseEventKind(s string) (EventKind, error) {
	switch s {
	case "first_cut":
		return FirstCut, nil
	case "first_hike":
		return FirstHike, nil
	}
	return 0, fmt.Errorf("invalid event kind %q: want first_cut|first_hike", s)
}

// Event is one turn of the rate cycle found in a rates series.
type Event struct {
	Kind     EventKind
	Date     Date    // the rates row that changed (the series' date, not the announcement)
	From, To float64 // rate before and after, percent
}

// FindEvents returns the events of kind k over the whole rates series, in
// date order (SEMANTICS §7). A change counts as the first of its direction
// when the most recent earlier change went the other way; the very first
// change of a series has no earlier one and never counts.
func FindEvents(r *Rates, k EventKind) []Event {
	var out []Event
	last := 0 // sign of the most recent non-zero change: -1, 0 (none), +1
	for j := 1; j < len(r.Pct); j++ {
		d := r.Pct[j] - r.Pct[j-1]
		var s int
		switch {
		case d < 0:
			s = -1
		case d > 0:
			s = 1
		default:
			continue
		}
		if (k == FirstCut && s < 0 && last > 0) || (k == FirstHike && s > 0 && last < 0) {
			out = append(out, Event{Kind: k, Date: r.Dates[j], From: r.Pct[j-1], To: r.Pct[j]})
		}
		last = s
	}
	return out
}

// EventBars maps events onto a calendar. An event is carried by the first
// bar dated on or after it: the first bar whose aligned rate shows the
// change. Events before the first bar or after the last are returned in
// outside (callers report them) and get no bar.
func EventBars(dates []Date, events []Event) (bars []int, outside []Event) {
	t := 0
	for _, e := range events {
		if len(dates) == 0 || e.Date < dates[0] || e.Date > dates[len(dates)-1] {
			outside = append(outside, e)
			continue
		}
		for t < len(dates) && dates[t] < e.Date {
			t++
		}
		bars = append(bars, t)
	}
	return bars, outside
}
