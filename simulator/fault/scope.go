package fault

import "time"

// Scope says which of the requests (or deliveries) a rule matches it
// fails: every condition given must hold; none given fails them all.
type Scope struct {
	// First fails only the first N matching requests.
	First int `json:"first,omitempty"`
	// Every fails every Nth matching request: the Nth, the 2Nth, …
	Every int `json:"every,omitempty"`
	// Probability fails each matching request with this chance (0 to 1),
	// drawn from the simulator's seeded source, so a seed repeats a run.
	Probability float64 `json:"probability,omitempty"`
	// Until fails only before this time on the merchant's clock.
	Until *time.Time `json:"until,omitempty"`
}

func (s Scope) check() error {
	switch {
	case s.First < 0:
		return fieldErr("first", "must be 1 or more")
	case s.Every < 0:
		return fieldErr("every", "must be 1 or more")
	case s.Probability < 0 || s.Probability > 1:
		return fieldErr("probability", "must be between 0 and 1")
	}
	return nil
}

// fires reports whether the nth request the rule matched (from 1) is
// failed; draw gives the seeded source's next number in [0, 1), and is
// called only for a probability.
func (s Scope) fires(n int, draw func() float64) bool {
	if s.First > 0 && n > s.First {
		return false
	}
	if s.Every > 0 && n%s.Every != 0 {
		return false
	}
	return s.Probability == 0 || draw() < s.Probability
}
