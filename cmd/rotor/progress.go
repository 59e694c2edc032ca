package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/rotor-bt/rotor/engine/sweep"
)

// startProgress reports a sweep's progress on stderr until the returned
// stop is called: a bar redrawn in place when stderr is a terminal, a plain
// line every interval otherwise, nothing with quiet. stop prints the final
// state.
func startProgress(stderr io.Writer, p *sweep.Progress, quiet bool, every time.Duration) (stop func()) {
	if quiet {
		return func() {}
	}
	tty := false
	if f, ok := stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	tick := every
	if tty {
		tick = 200 * time.Millisecond
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				if tty {
					fmt.Fprintf(stderr, "\r%s\x1b[K", progressBar(p, 30))
				} else {
					fmt.Fprintf(stderr, "sweep: %s\n", progressLine(p))
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
			if tty {
				fmt.Fprintf(stderr, "\r%s\x1b[K\n", progressBar(p, 30))
			} else {
				fmt.Fprintf(stderr, "sweep: %s\n", progressLine(p))
			}
		})
	}
}

// progressLine is "1,234/5,000 rows (24.7%), 812 rows/s, elapsed 1.5s, ETA 4.6s".
func progressLine(p *sweep.Progress) string {
	done, total, el := p.Snapshot()
	rate := 0.0
	if s := el.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	s := fmt.Sprintf("%s/%s rows (%.1f%%), %s rows/s, elapsed %s", grouped(done), grouped(total), pct, grouped(int64(rate)), roundDur(el))
	if done < total && rate > 0 {
		s += ", ETA " + roundDur(time.Duration(float64(total-done)/rate*float64(time.Second)))
	}
	return s
}

// progressBar is "[#########.....] " followed by the progress line.
func progressBar(p *sweep.Progress, width int) string {
	done, total, _ := p.Snapshot()
	n := width
	if total > 0 {
		n = int(int64(width) * min(done, total) / total)
	}
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "] " + progressLine(p)
}

func roundDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// grouped formats n with thousands separators.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + grouped(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
