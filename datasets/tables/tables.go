// Package tables writes and reads result tables: Parquet, CSV and JSON
// lines, chosen by the file extension.
//
// Writers stream: rows are buffered in fixed-size columnar batches and
// flushed, so memory does not grow with the number of rows. Output goes to
// a temporary file in the destination's directory; Close renames it into
// place (the file appears complete or not at all) and Abort removes it.
//
// NaN floats are missing values (SEMANTICS §4): CSV `NaN`, JSON `null`,
// Parquet NULL. Key-value metadata (dataset fingerprint, strategy, grid,
// conventions, version) goes into the Parquet footer, or into a sidecar
// PATH.meta.json beside a CSV or JSON-lines file.
package tables

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Type is the type of a column.
type Type uint8

const (
	Float64 Type = iota + 1 // float64; NaN is missing
	Int64                   // int64
	String                  // UTF-8 text
	Bool                    // true|false
	Date                    // engine.Date (days since 1970-01-01), written as a calendar date
)

var typeNames = [...]string{"", "float64", "int64", "string", "bool", "date"}

func (t Type) String() string {
	if t > 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ParseType reads the name of a type (float64, int64, string, bool, date).
func ParseType(s string) (Type, error) {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("unknown column type %q: want float64|int64|string|bool|date", s)
}

// Column is one column of a table.
type Column struct {
	Name string
	Type Type
}

// Format is a file format.
type Format uint8

const (
	Parquet Format = iota + 1
	CSV
	JSONL
)

func (f Format) String() string {
	switch f {
	case Parquet:
		return "parquet"
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return fmt.Sprintf("Format(%d)", f)
}

// Extensions lists the file extensions a table may have.
const Extensions = ".parquet, .csv, .json, .jsonl"

// FormatOf returns the format of path from its extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return Parquet, nil
	case ".csv":
		return CSV, nil
	case ".json", ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: unknown table format %q: want one of %s", path, filepath.Ext(path), Extensions)
}

// SidecarPath is where the metadata of a CSV or JSON-lines table lives.
func SidecarPath(path string) string { return path + ".meta.json" }

// checkColumns validates a schema: at least one column, non-empty unique
// names, known types.
func checkColumns(cols []Column) error {
	if len(cols) == 0 {
		return fmt.Errorf("table has no columns")
	}
	seen := make(map[string]bool, len(cols))
	for i, c := range cols {
		if c.Name == "" {
			return fmt.Errorf("column %d has no name", i)
		}
		if seen[c.Name] {
			return fmt.Errorf("column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if c.Type < Float64 || c.Type > Date {
			return fmt.Errorf("column %q: unknown type %d", c.Name, c.Type)
		}
	}
	return nil
}
