package datasets

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// Column names of SEMANTICS §1 besides the price fields.
const (
	ColDate   = "date"
	ColSymbol = "symbol"
)

// ColumnNames lists every column name a price table may have, in order.
func ColumnNames() []string {
	out := []string{ColDate, ColSymbol}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		out = append(out, f.String())
	}
	return out
}

type column struct {
	name, typ string
}

// describe returns the columns of one input file as DuckDB sees them.
func describe(ctx context.Context, db *DB, file, format string, hive bool) ([]column, error) {
	var q string
	args := []any{[]string{file}}
	if format == FormatCSV {
		q = "DESCRIBE SELECT * FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)"
	} else {
		q = "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = ?)"
		args = append(args, hive)
	}
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, newErr(file, "file", RuleUnreadable, "%s", firstLine(err))
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var name, typ string
		var null, key, def, extra any
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			return nil, newErr(file, "file", RuleUnreadable, "%s", firstLine(err))
		}
		cols = append(cols, column{name, typ})
	}
	if err := rows.Err(); err != nil {
		return nil, newErr(file, "file", RuleUnreadable, "%s", firstLine(err))
	}
	return cols, nil
}

// firstLine returns the first line of err's message (DuckDB errors span
// several lines).
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// mapping is the resolved source column of each SEMANTICS column.
type mapping struct {
	date, symbol column
	fields       [engine.NumFields]column // name "" = absent
}

// checkMapping validates --col keys: each must be a SEMANTICS column name.
func checkMapping(m map[string]string) error {
	valid := ColumnNames()
	for k, v := range m {
		ok := false
		for _, n := range valid {
			ok = ok || n == k
		}
		if !ok {
			return newErr("", "--col "+k+"="+v, RuleUnknownMapping, "valid names: %s", strings.Join(valid, ", "))
		}
		if v == "" {
			return newErr("", "--col "+k+"=", RuleUnknownMapping, "give the file's column name after =")
		}
	}
	return nil
}

// resolve finds the source column of every SEMANTICS column in one file
// and checks its type. Names match exactly, else case-insensitively.
func resolve(file string, cols []column, m map[string]string, typed bool) (*mapping, error) {
	find := func(name string) (column, bool) {
		src, mapped := m[name]
		if !mapped {
			src = name
		}
		for _, c := range cols {
			if c.name == src {
				return c, true
			}
		}
		var hit column
		n := 0
		for _, c := range cols {
			if strings.EqualFold(c.name, src) {
				hit = c
				n++
			}
		}
		return hit, n == 1
	}
	names := func() string {
		s := make([]string, len(cols))
		for i, c := range cols {
			s[i] = c.name
		}
		return strings.Join(s, ", ")
	}
	missing := func(name string) error {
		if src, ok := m[name]; ok {
			return newErr(file, "column "+src, RuleMissingColumn, "mapped to %s by --col; the file has: %s", name, names())
		}
		return newErr(file, "column "+name, RuleMissingColumn, "required; the file has: %s (map another with --col %s=NAME)", names(), name)
	}
	r := &mapping{}
	var ok bool
	if r.date, ok = find(ColDate); !ok {
		return nil, missing(ColDate)
	}
	if r.symbol, ok = find(ColSymbol); !ok {
		return nil, missing(ColSymbol)
	}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		if c, ok := find(f.String()); ok {
			r.fields[f] = c
		} else if _, mapped := m[f.String()]; mapped {
			return nil, missing(f.String())
		}
	}
	if r.fields[engine.Close].name == "" && r.fields[engine.AdjClose].name == "" {
		return nil, newErr(file, "column close", RuleMissingColumn, "need close or adj_close; the file has: %s (map one with --col close=NAME)", names())
	}
	// Types: only Parquet carries them; CSV columns are read with explicit
	// types and a bad value fails the scan.
	if !typed {
		return r, nil
	}
	if !isDateType(r.date.typ) {
		return nil, newErr(file, "column "+r.date.name, RuleWrongType, "is %s; want DATE or TIMESTAMP", r.date.typ)
	}
	if r.symbol.typ != "VARCHAR" {
		return nil, newErr(file, "column "+r.symbol.name, RuleWrongType, "is %s; want VARCHAR", r.symbol.typ)
	}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		c := r.fields[f]
		if c.name != "" && !isNumericType(c.typ) {
			return nil, newErr(file, "column "+c.name, RuleWrongType, "is %s; want a number (DOUBLE, FLOAT, DECIMAL or an integer)", c.typ)
		}
	}
	return r, nil
}

func isDateType(t string) bool {
	return t == "DATE" || strings.HasPrefix(t, "TIMESTAMP")
}

func isNumericType(t string) bool {
	switch t {
	case "DOUBLE", "FLOAT", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
		"UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT":
		return true
	}
	return strings.HasPrefix(t, "DECIMAL")
}

// csvTypes returns the explicit DuckDB type of each CSV column, by position:
// DATE for date, VARCHAR for symbol, DOUBLE for every price field, VARCHAR
// for the rest (ignored columns are never parsed as numbers).
func csvTypes(cols []column, r *mapping) []string {
	types := make([]string, len(cols))
	for i, c := range cols {
		types[i] = "VARCHAR"
		switch c.name {
		case r.date.name:
			types[i] = "DATE"
		case r.symbol.name:
		default:
			for f := engine.Field(0); f < engine.NumFields; f++ {
				if r.fields[f].name == c.name {
					types[i] = "DOUBLE"
				}
			}
		}
	}
	return types
}

// unifyMappings checks that every file maps the same columns the same way
// and returns the mapping of the first with the fields present anywhere.
func unifyMappings(files []string, ms []*mapping, format string) (*mapping, error) {
	u := *ms[0]
	for k := 1; k < len(ms); k++ {
		m := ms[k]
		if m.date.name != u.date.name || m.symbol.name != u.symbol.name {
			return nil, newErr(files[k], "columns", RuleMissingColumn, "date/symbol columns %s/%s differ from %s's %s/%s", m.date.name, m.symbol.name, displayPath(files[0]), u.date.name, u.symbol.name)
		}
		for f := range m.fields {
			if u.fields[f].name == "" {
				u.fields[f] = m.fields[f]
			}
		}
	}
	return &u, nil
}

// sameHeader reports whether two CSV headers are equal.
func sameHeader(a, b []column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

var _ = fmt.Sprint
