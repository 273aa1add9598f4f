package merchant

import (
	"context"
	"net/http"
	"testing"
)

// TestHealthz_ReadyOnceWebhooksAreRegistered: /healthz answers 503 until
// the webhooks are registered, so a harness waiting for it never sends a
// payment Tabby could not notify the shop of.
func TestHealthz_ReadyOnceWebhooksAreRegistered(t *testing.T) {
	s := newShop(t, newTenant(t), "", false)
	if status, body := s.browse(s.url + "/healthz"); status != http.StatusServiceUnavailable {
		t.Fatalf("before the webhooks are registered: HTTP %d %s, want 503", status, body)
	}
	if err := s.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if status, body := s.browse(s.url + "/healthz"); status != http.StatusOK {
		t.Fatalf("once they are: HTTP %d %s, want 200", status, body)
	}
}
