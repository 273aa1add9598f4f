package simulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// The serving limits a Config's zero values stand for.
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	DefaultIdleTimeout  = 60 * time.Second
	// readHeaderTimeout bounds the request line and headers, unless
	// ReadTimeout is shorter.
	readHeaderTimeout = 10 * time.Second
	// maxHeaderBytes caps a request's line and headers; a larger request
	// gets 431.
	maxHeaderBytes = 64 << 10
)

// Server is a simulator served over HTTP.
type Server struct {
	*Simulator
	// URL is where it is served, such as http://127.0.0.1:40123.
	URL     string
	servers []*http.Server
	serving sync.WaitGroup
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
	s := &Server{Simulator: sim, URL: url}
	s.serve(ln, sim.Handler())
	return s, nil
}

// ServeControl serves the control API alone on ln, with the same limits as
// the main address, until Shutdown. Configure SeparateControl to keep it
// off the main address.
func (s *Server) ServeControl(ln net.Listener) { s.serve(ln, s.ControlHandler()) }

// serve serves h on ln with the configured timeouts and header cap.
func (s *Server) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(readHeaderTimeout, s.cfg.ReadTimeout),
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	// Streams of changes never end by themselves; shutting down ends them.
	srv.RegisterOnShutdown(s.Changes.Close)
	s.servers = append(s.servers, srv)
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serving", "addr", ln.Addr().String(), "err", err)
		}
	}()
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
	// Requests held by fault injection are let go rather than waited for.
	s.Faults.Close()
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}
	s.serving.Wait()
	return s.Simulator.Close()
}
