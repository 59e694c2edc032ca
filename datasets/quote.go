package datasets

import "strings"

// QuoteIdent returns name as a DuckDB identifier: in double quotes, with
// embedded double quotes doubled. It is the one way rotor puts a name (a
// column or table) into SQL; values are always bound parameters.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
