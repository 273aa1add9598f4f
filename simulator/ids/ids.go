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

// ForGeneration returns the source for the generation-th start on a store
// (see store.Store.NewGeneration). The first start draws what New(seed)
// draws, so a run from an empty store repeats; every later start draws from
// seed mixed with its generation, so a restart on a kept store with the same
// seed does not give out the ids of the runs before it.
func ForGeneration(seed int64, generation uint64) *Source {
	if generation <= 1 {
		return New(seed)
	}
	return &Source{seed: seed, rnd: rand.New(rand.NewSource(mix(uint64(seed), generation)))}
}

// mix is SplitMix64's finaliser over seed and generation: nearby seeds and
// generations give unrelated seeds.
func mix(seed, generation uint64) int64 {
	z := seed + generation*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}

// Seed is the seed the source started from, before any generation was
// mixed in.
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

// Digits returns n random decimal digits, the first not 0, as numeric ids
// such as Onerway's merchantNo are written.
func (s *Source) Digits(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		if i == 0 {
			b[i] = '1' + byte(s.rnd.Intn(9))
		} else {
			b[i] = '0' + byte(s.rnd.Intn(10))
		}
	}
	return string(b)
}

// Float64 returns a number in [0, 1).
func (s *Source) Float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64()
}
