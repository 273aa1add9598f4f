package simulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a simulator served over HTTP.
type Server struct {
	*Simulator
	// URL is where it is served, such as http://127.0.0.1:40123.
	URL  string
	http *http.Server
	done chan struct{}
}

// Listen builds a simulator from cfg and serves it on addr; port 0 picks a
// free port. PublicURL defaults to the address it really listens on, so
// hosted page links work. The background event loop is not started: call
// Run for that.
func Listen(addr string, cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = url
	}
	sim, err := New(cfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{Simulator: sim, URL: url, done: make(chan struct{}),
		http: &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			sim.log.Error("serving", "err", err)
		}
	}()
	return s, nil
}

// Close stops serving, giving requests in flight a second to finish, then
// closes the simulator. Stop Run first.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown stops serving, letting requests in flight finish until ctx is
// done, then closes the simulator. Stop Run first.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		s.http.Close()
	}
	<-s.done
	return s.Simulator.Close()
}
