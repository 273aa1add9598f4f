package ids

// Digits returns n random decimal digits, the first never 0, such as
// Onerway's 19-digit transaction ids. n is at least 1.
func (s *Source) Digits(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, n)
	b[0] = byte('1' + s.rnd.Intn(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + s.rnd.Intn(10))
	}
	return string(b)
}
