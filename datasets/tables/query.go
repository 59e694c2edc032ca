package tables

import (
	"context"
	"fmt"
	"strings"

	"github.com/rotor-bt/rotor/datasets"
)

// Top opens the n best rows of the table at path by the numeric column
// by (descending, or ascending with asc), leaving out rows where it is
// missing or NaN; ties go by config_id and symbol when the table has them.
// The ranking runs in DuckDB; the column name is checked against the
// schema and quoted, n is a bound parameter.
func Top(ctx context.Context, path, by string, n int, asc bool) (*Reader, error) {
	if n < 1 {
		return nil, fmt.Errorf("top: want at least 1 row, got %d", n)
	}
	return open(ctx, path, true, func(cols []Column) (string, []any, error) {
		var col *Column
		var names []string
		has := map[string]bool{}
		for i := range cols {
			c := &cols[i]
			has[c.Name] = true
			if c.Type == Float64 || c.Type == Int64 {
				names = append(names, c.Name)
			}
			if c.Name == by {
				col = c
			}
		}
		if col == nil || (col.Type != Float64 && col.Type != Int64) {
			return "", nil, fmt.Errorf("%s: no numeric column %q to rank by (numeric columns: %s)", path, by, strings.Join(names, ", "))
		}
		q := datasets.QuoteIdent(by)
		where := "WHERE " + q + " IS NOT NULL"
		if col.Type == Float64 {
			where += " AND NOT isnan(" + q + ")"
		}
		dir := "DESC"
		if asc {
			dir = "ASC"
		}
		order := "ORDER BY " + q + " " + dir
		for _, k := range []string{"config_id", "symbol"} {
			if has[k] {
				order += ", " + datasets.QuoteIdent(k)
			}
		}
		return where + " " + order + " LIMIT ?", []any{n}, nil
	})
}
