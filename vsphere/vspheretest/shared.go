package vspheretest

import (
	"sync"
	"testing"
)

// Shared keeps what several tests or benchmarks of a package share (a
// simulator that takes seconds to build) until the package's tests end,
// then closes it, so that nothing is left behind, such as vcsim's
// temporary directory. The package's TestMain runs its tests through Run.
type Shared struct {
	mu     sync.Mutex
	closes []func()
}

// Keep has close run once the package's tests end.
func (s *Shared) Keep(close func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes = append(s.closes, close)
}

// Run runs m's tests, closes what was kept, last first, and returns m's
// exit code.
func (s *Shared) Run(m *testing.M) int {
	code := m.Run()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.closes) - 1; i >= 0; i-- {
		s.closes[i]()
	}
	s.closes = nil
	return code
}
