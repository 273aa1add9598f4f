// Package surface mounts the simulator's HTTP surfaces (each provider's
// API, the control API) on its router. A surface answers the requests its
// handlers never see (an unknown path, a wrong method, a handler that
// panicked) in its own wire shape, and a provider's API tells, before a
// request is handled, which provider and operation it is for and which
// merchant sent it, so that the layers in front of the handler (the
// journal, fault injection) can act on it.
package surface

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"
)

// Answers are a surface's own answers to the requests its handlers never
// see.
type Answers interface {
	// NotFound answers a path under the surface's prefix that no route
	// serves.
	NotFound(w http.ResponseWriter, r *http.Request)
	// MethodNotAllowed answers a route's path asked with a method the
	// route does not serve.
	MethodNotAllowed(w http.ResponseWriter, r *http.Request)
	// Internal answers a request whose handler panicked.
	Internal(w http.ResponseWriter, r *http.Request)
}

// Mount returns the router of the surface that serves the paths under
// prefix on r; its routes are added with their whole paths. The requests it
// routes pass through front (outermost first), then a guard that logs a
// panic and answers it with a.Internal, then the handler.
//
// The surface's router is a router of its own rather than a subrouter of
// r: a subrouter's routes all carry its prefix as a matcher, which makes
// gorilla/mux answer a wrong method as an unknown path.
func Mount(r *mux.Router, prefix string, a Answers, log *slog.Logger, front ...mux.MiddlewareFunc) *mux.Router {
	s := mux.NewRouter()
	r.PathPrefix(prefix).Handler(s)
	s.NotFoundHandler = http.HandlerFunc(a.NotFound)
	s.MethodNotAllowedHandler = http.HandlerFunc(a.MethodNotAllowed)
	s.Use(front...)
	s.Use(guard(a, log))
	return s
}

// guard turns a panic into the surface's answer to an unexpected error,
// logged. A handler that aborts on purpose (http.ErrAbortHandler) is let
// through, for net/http to end the connection.
func guard(a Answers, log *slog.Logger) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					if log != nil {
						log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
					}
					a.Internal(w, r)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Operation names what a request asks of a provider, such as
// "tabby.capture" or "onerway.online_refund". It is the name of the routes that
// serve it.
type Operation string

// Identity says which provider and operation a request is for and which
// merchant sent it.
type Identity struct {
	Provider  string
	Operation Operation
	// Merchant is the merchant the request's credentials belong to; ""
	// when they belong to none.
	Merchant string
	// Found is what the provider's API found while identifying the request
	// (the merchant, say), for its handler to use rather than look it up
	// again; nil when it found nothing.
	Found any
}

// Identifier tells a request's identity before it is handled. A provider's
// API implements it; it is called after routing, so mux.CurrentRoute names
// the operation.
type Identifier interface {
	Identify(r *http.Request) Identity
}

type identityKey struct{}

// Identify returns a middleware that identifies each request with id and
// keeps the identity in the request's context, for IdentityOf.
func Identify(id Identifier) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), identityKey{}, id.Identify(r))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// IdentityOf returns the identity Identify kept in ctx, or the zero
// Identity outside it.
func IdentityOf(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey{}).(Identity)
	return id
}
