// Command rotor is a backtesting engine for strategy research: it loads
// price histories, simulates strategies over parameter grids and writes
// result tables and reports.
//
// Usage: rotor <command> [flags]. Exit status 0 on success, 1 on a runtime
// error, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// command is one subcommand. Each lives in its own file and registers
// itself from init.
type command struct {
	name    string // e.g. "run" or "data gen"
	summary string // one line for the command list
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("rotor: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks errors in how rotor was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// newFlags returns a flag set for a command whose --help prints usage
// (the command line, the summary and the flags) to stdout.
func newFlags(name, args, summary string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: rotor %s %s\n\n%s\n\nFlags:\n", name, args, summary)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args; --help prints usage and returns errHelp.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp // pflag has already printed the usage
		}
		return usageError{fmt.Errorf("%s: %w (see rotor %s --help)", fs.Name(), err, fs.Name())}
	}
	return nil
}

var errHelp = errors.New("help shown")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain runs one command line and returns the exit status.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printCommands(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintln(stdout, "rotor", version())
		return 0
	}
	// Longest registered prefix wins: "data gen" before "data".
	var c *command
	n := 0
	for k := len(args); k >= 1; k-- {
		if cc, ok := commands[strings.Join(args[:k], " ")]; ok {
			c, n = cc, k
			break
		}
	}
	if c == nil {
		fmt.Fprintf(stderr, "rotor: unknown command %q; valid commands: %s\n", strings.Join(args[:1], " "), strings.Join(commandNames(), ", "))
		return 2
	}
	err := c.run(ctx, args[n:], stdout, stderr)
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "rotor:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "rotor:", err)
		return 1
	}
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for k := range commands {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "rotor: backtests for strategy research.\n\nUsage: rotor <command> [flags]   (rotor <command> --help for its flags)\n\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-18s %s\n", n, commands[n].summary)
	}
}
