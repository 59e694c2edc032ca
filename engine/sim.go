package engine

import "errors"

// Simulate runs strategy s over panel p under cfg (SEMANTICS §2–4).
// Placeholder signature; the simulator replaces this file.
func Simulate(p *Panel, s Strategy, cfg Config) (*Result, error) {
	return nil, errors.New("engine: simulator not available")
}
