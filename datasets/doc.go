// Package datasets loads price histories into an engine.Panel.
//
// Inputs are long tables, one row per (date, symbol), in Parquet or CSV
// (SEMANTICS §1). They are read through DuckDB (read_parquet / read_csv with
// explicit column types, date range and symbol list as bound parameters
// pushed into the scan) into Arrow record batches, validated, and scattered
// into the dense asset-major panel with typed loops. DuckDB runs locked
// down: a memory limit, a private temp directory, no extension loading and
// access to exactly the input files and the output directory.
//
// Load reads one selection with an instance of its own. To read several
// selections of the same files, Open them once as a Dataset: each of its
// loads reads the files again, and skips starting DuckDB (an instance
// starts with its allocator emptied, so its first scans fault their
// buffers in again).
//
// Every input that is not a valid price history is rejected with one
// *Error line naming the file, the key (row, column or symbol) and the rule.
package datasets
