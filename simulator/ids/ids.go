// Package ids is the simulator's one source of randomness: ids and chaos
// decisions come from a seeded generator, so a run can be repeated.
package ids

import (
	"math/rand"
	"sync"

	"github.com/google/uuid"
)

// Source produces ids and random numbers from a seed. It is safe for
// concurrent use.
type Source struct {
	mu   sync.Mutex
	seed int64
	rnd  *rand.Rand
}

// New returns a source seeded with seed.
func New(seed int64) *Source {
	return &Source{seed: seed, rnd: rand.New(rand.NewSource(seed))}
}

// Seed is the seed the source started from.
func (s *Source) Seed() int64 { return s.seed }

// UUID returns a random (version 4) UUID.
func (s *Source) UUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := uuid.NewRandomFromReader(s.rnd)
	if err != nil {
		panic(err) // math/rand never fails to read
	}
	return id.String()
}

// Hex returns n random bytes as lower-case hex.
func (s *Source) Hex(n int) string {
	const digits = "0123456789abcdef"
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = digits[s.rnd.Intn(16)]
	}
	return string(b)
}

// Float64 returns a number in [0, 1).
func (s *Source) Float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64()
}
