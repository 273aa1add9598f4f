package control

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/internal/changes"
)

// keepAlive is how often an idle stream of changes sends a comment, so
// that proxies keep it open and a client that went away is noticed.
const keepAlive = 20 * time.Second

// registerEvents mounts the stream of changes the dashboard listens to.
func (a *API) registerEvents(r *mux.Router) {
	if a.Changes != nil {
		r.HandleFunc(Prefix+"/events", a.events).Methods(http.MethodGet)
	}
}

// events streams the changes of one merchant (?merchant=ID) or of all as
// server-sent events: first an event named "ready", then a message of JSON
// (changes.Change) for each change. A client re-fetches what it shows on
// "ready" too, since it missed whatever changed before it connected.
func (a *API) events(w http.ResponseWriter, r *http.Request) {
	// A stream lasts as long as the client stays: the server's deadlines,
	// meant for single requests, must not cut it.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	watch := a.Changes.Watch(r.URL.Query().Get("merchant"))
	defer watch.Stop()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	send := func(format string, args ...any) bool {
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 2000\nevent: ready\ndata: {}\n\n") {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-a.Changes.Done():
			return
		case <-tick.C:
			if !send(": keep-alive\n\n") {
				return
			}
		case c := <-watch.C():
			// A burst of changes goes out in one flush.
			for _, c := range pending(watch, c) {
				if !writeChange(w, c) {
					return
				}
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}

// pending returns c and the changes already waiting behind it, up to a
// bounded number so that a steady flow still reaches the client; a watcher
// that missed some gets a single KindResync instead.
func pending(watch *changes.Watcher, c changes.Change) []changes.Change {
	out := []changes.Change{c}
	for len(out) < 100 {
		select {
		case c := <-watch.C():
			out = append(out, c)
		default:
			if watch.Missed() {
				return []changes.Change{{Kind: changes.KindResync}}
			}
			return out
		}
	}
	return out
}

func writeChange(w io.Writer, c changes.Change) bool {
	data, err := json.Marshal(c)
	if err != nil {
		return false // strings always encode
	}
	_, err = fmt.Fprintf(w, "data: %s\n\n", data)
	return err == nil
}
