package engine

import (
	"fmt"
	"time"
)

// Date is a calendar day without time zone, counted in days since
// 1970-01-01. It is the Arrow date32 / DuckDB DATE encoding, so loaded
// columns convert without arithmetic.
type Date int32

// DateOf returns the Date of year y, month m, day d (normalised like time.Date).
func DateOf(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DateFromTime returns the calendar day of t in t's own location.
func DateFromTime(t time.Time) Date {
	y, m, d := t.Date()
	return DateOf(y, m, d)
}

// ParseDate parses an ISO date YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return DateFromTime(t), nil
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format("2006-01-02") }

// Year returns the calendar year of d.
func (d Date) Year() int { return d.Time().Year() }

// Period is a calendar period used by rebalance schedules.
type Period uint8

const (
	Daily Period = iota
	Weekly
	Monthly
	Quarterly
	Yearly
)

var periodNames = [...]string{"daily", "weekly", "monthly", "quarterly", "yearly"}

func (p Period) String() string {
	if int(p) < len(periodNames) {
		return periodNames[p]
	}
	return fmt.Sprintf("Period(%d)", p)
}

// ParsePeriod parses daily, weekly, monthly, quarterly or yearly.
func ParsePeriod(s string) (Period, error) {
	for i, n := range periodNames {
		if n == s {
			return Period(i), nil
		}
	}
	return 0, fmt.Errorf("invalid period %q: want one of daily|weekly|monthly|quarterly|yearly", s)
}

// Key returns a number identifying the period of p that contains d:
// the day itself, the ISO week, the month, the quarter or the year.
// Two dates are in the same period exactly when their keys are equal.
func (p Period) Key(d Date) int {
	t := d.Time()
	switch p {
	case Weekly:
		y, w := t.ISOWeek()
		return y*100 + w
	case Monthly:
		return t.Year()*100 + int(t.Month())
	case Quarterly:
		return t.Year()*10 + (int(t.Month())-1)/3
	case Yearly:
		return t.Year()
	default:
		return int(d)
	}
}

// PeriodEnds marks the bars of a calendar that end a period: bar t is a
// period end when bar t+1 falls in another period. The last bar is never
// marked (no next bar is known). Knowing the trading calendar in advance is
// not look-ahead: the dates are published before the prices.
func PeriodEnds(dates []Date, p Period) []bool {
	ends := make([]bool, len(dates))
	for t := 0; t+1 < len(dates); t++ {
		ends[t] = p.Key(dates[t]) != p.Key(dates[t+1])
	}
	return ends
}
