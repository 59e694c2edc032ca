package datasets

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// RatesColumn is the standard name of the rates value column.
const RatesColumn = "rate_pct"

// LoadRates reads a rates file: a date column and one value column in
// annual percent, rate_pct or (when it is the only other column) any name
// such as target_rate_pct, which becomes Rates.Name. CSV or Parquet.
func LoadRates(ctx context.Context, file string, cfg DBConfig) (*engine.Rates, error) {
	cfg.Files = append(append([]string(nil), cfg.Files...), file)
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return loadRates(ctx, db, file)
}

func loadRates(ctx context.Context, db *DB, file string) (*engine.Rates, error) {
	format, err := formatOf(file)
	if err != nil {
		return nil, err
	}
	abs := absFiles([]string{file})
	cols, err := describe(ctx, db, abs[0], format, false)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.File = displayPath(file)
		}
		return nil, err
	}
	var date, value column
	var others []string
	for _, c := range cols {
		if strings.EqualFold(c.name, ColDate) {
			date = c
		} else {
			others = append(others, c.name)
			if c.name == RatesColumn {
				value = c
			}
		}
	}
	if date.name == "" {
		return nil, newErr(file, "column date", RuleMissingColumn, "a rates file has columns date and rate_pct")
	}
	if value.name == "" {
		if len(others) != 1 {
			return nil, newErr(file, "column rate_pct", RuleMissingColumn, "a rates file has columns date and rate_pct (or date and one other column); it has %s", strings.Join(append([]string{date.name}, others...), ", "))
		}
		for _, c := range cols {
			if c.name == others[0] {
				value = c
			}
		}
	}
	var q string
	args := []any{abs}
	sel := "SELECT " + QuoteIdent(date.name) + ", CAST(" + QuoteIdent(value.name) + " AS DOUBLE)"
	if format == FormatCSV {
		types := make([]string, len(cols))
		for i, c := range cols {
			types[i] = "VARCHAR"
			if c.name == date.name {
				types[i] = "DATE"
			} else if c.name == value.name {
				types[i] = "DOUBLE"
			}
		}
		q = sel + " FROM read_csv(?, header = true, delim = ',', types = ?, dateformat = '%Y-%m-%d') ORDER BY 1"
		args = append(args, types)
	} else {
		if !isDateType(date.typ) {
			return nil, newErr(file, "column "+date.name, RuleWrongType, "is %s; want DATE", date.typ)
		}
		if !isNumericType(value.typ) {
			return nil, newErr(file, "column "+value.name, RuleWrongType, "is %s; want a number (annual percent)", value.typ)
		}
		q = "SELECT CAST(d AS DATE), v FROM (" + sel + " FROM read_parquet(?)) AS t(d, v) ORDER BY 1"
	}
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, scanErr(&inputSet{files: []string{file}, format: format}, err)
	}
	defer rows.Close()
	r := &engine.Rates{Name: value.name}
	for rows.Next() {
		var d *engine.Date
		var t dateScan
		var v *float64
		if err := rows.Scan(&t, &v); err != nil {
			return nil, newErr(file, "row", RuleUnreadable, "%s", firstLine(err))
		}
		if !t.valid {
			return nil, newErr(file, "row", RuleBadRates, "a row has no date")
		}
		d = &t.d
		if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
			return nil, newErr(file, "date "+d.String(), RuleBadRates, "%s is missing or not finite; want annual percent such as 5.25", value.name)
		}
		if n := len(r.Dates); n > 0 && r.Dates[n-1] == *d {
			return nil, newErr(file, "date "+d.String(), RuleDuplicateRates, "each date must appear once")
		}
		r.Dates = append(r.Dates, *d)
		r.Pct = append(r.Pct, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, scanErr(&inputSet{files: []string{file}, format: format}, err)
	}
	if len(r.Dates) == 0 {
		return nil, newErr(file, "rows", RuleEmpty, "the rates file has no rows")
	}
	return r, nil
}

// attachRates aligns r to the panel (forward fill) and notes the choice.
func attachRates(p *engine.Panel, info *Info, r *engine.Rates, file string) {
	p.SetRates(r)
	info.RatesFile = displayPath(file)
	info.RatesColumn = r.Name
	info.RatesRows = len(r.Dates)
	note := fmt.Sprintf("rates: %s from %s (%d rows, %s..%s), forward-filled onto the calendar", r.Name, info.RatesFile, len(r.Dates), r.Dates[0], r.Dates[len(r.Dates)-1])
	info.Notes = append(info.Notes, note)
	if p.T() > 0 && r.Dates[0] > p.Dates[0] {
		n := 0
		for _, d := range p.Dates {
			if d < r.Dates[0] {
				n++
			}
		}
		info.Notes = append(info.Notes, fmt.Sprintf("rates start %s, after the first bar: %d bars have no rate (cash earns 0)", r.Dates[0], n))
	}
}

// dateScan scans a DuckDB DATE (time.Time) into an engine.Date.
type dateScan struct {
	d     engine.Date
	valid bool
}

func (s *dateScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		s.valid = false
	case interface{ Unix() int64 }:
		s.d = engine.Date(x.Unix() / 86400)
		if x.Unix() < 0 && x.Unix()%86400 != 0 {
			s.d--
		}
		s.valid = true
	default:
		return fmt.Errorf("date: unexpected %T", v)
	}
	return nil
}
