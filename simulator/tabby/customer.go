package tabby

import (
	"context"
	"net/url"
	"time"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Action is what a customer does on the hosted payment page.
type Action string

// Customer actions.
const (
	Approve                Action = "approve"
	Reject                 Action = "reject"
	Cancel                 Action = "cancel"
	ApproveWithoutRedirect Action = "approve_without_redirect"
	Abandon                Action = "abandon"
)

// ParseAction checks a customer action's name.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Approve, Reject, Cancel, ApproveWithoutRedirect, Abandon:
		return a, nil
	}
	return "", apperr.Errorf(apperr.Invalid, "action must be one of approve, reject, cancel, approve_without_redirect, abandon; got %q", s)
}

// Act does what the customer does on the hosted page and returns the
// payment and the URL the browser is sent to ("" when there is none). It
// plays the whole customer, so it does not ask for the OTP step; the hosted
// page does.
func (s *Service) Act(ctx context.Context, paymentID string, a Action) (*Payment, string, error) {
	m, err := s.owner(ctx, paymentID)
	if err != nil {
		return nil, "", err
	}
	var redirect string
	p, err := s.mutate(ctx, m, paymentID, func(p *Payment, c *change) error {
		if err := checkOpen(p, c.now); err != nil {
			return err
		}
		switch a {
		case Approve, ApproveWithoutRedirect:
			if rejectedAfterOTP(&p.Buyer) {
				s.reject(p, c)
				redirect = p.URLs.Failure
			} else {
				s.authorize(p, c, m)
				redirect = p.URLs.Success
			}
		case Reject:
			s.reject(p, c)
			redirect = p.URLs.Failure
		case Cancel:
			s.expire(p, c, ByCustomer, "cancelled on the hosted page")
			redirect = p.URLs.Cancel
		case Abandon:
			p.record(c.now, "customer left the hosted page", ByCustomer, "")
		}
		if a == ApproveWithoutRedirect {
			p.record(c.now, "customer closed the tab before the redirect", ByCustomer, "")
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if a == ApproveWithoutRedirect || a == Abandon || redirect == "" {
		return p, "", nil
	}
	return p, WithPaymentID(redirect, p.ID), nil
}

// checkOpen refuses customer actions on a finished or timed-out checkout.
func checkOpen(p *Payment, now time.Time) error {
	switch {
	case p.RejectionReason != "":
		return apperr.Errorf(apperr.Conflict, "the session was rejected at pre-scoring (%s); the customer cannot pay", p.RejectionReason)
	case p.Status != Created:
		return apperr.Errorf(apperr.Conflict, "the payment is %s; the customer can no longer act on it", p.Status)
	case !now.Before(p.SessionExpiresAt):
		return apperr.Errorf(apperr.Conflict, "the checkout session expired at %s", p.SessionExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// VerifyOTP checks the code the customer typed on the hosted page.
func (s *Service) VerifyOTP(ctx context.Context, paymentID, code string) (*Payment, error) {
	m, err := s.owner(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, m, paymentID, func(p *Payment, c *change) error {
		if err := checkOpen(p, c.now); err != nil {
			return err
		}
		if code != OTPCode {
			return apperr.Errorf(apperr.Invalid, "wrong code: in the sandbox the code is always %s", OTPCode)
		}
		if !p.OTPVerified {
			p.OTPVerified = true
			p.record(c.now, "OTP verified", ByCustomer, "")
		}
		return nil
	})
}

func (s *Service) authorize(p *Payment, c *change, m *tenant.Merchant) {
	now := c.now
	p.Status = Authorized
	p.AuthorizedAt = &now
	p.record(now, "authorized", ByCustomer, "")
	c.emit(p, EventAuthorize)
	switch m.Settings.Tabby.AutoCapture {
	case "immediate":
		s.captureRemainder(p, c)
	case "after_delay":
		c.timers = append(c.timers, timer{at: autoCaptureAt(p, m), kind: timerAutoCapture})
	}
}

func (s *Service) reject(p *Payment, c *change) {
	p.Status = Rejected
	p.record(c.now, "rejected", BySimulator, "Tabby declined the customer on the hosted page")
	c.emit(p, EventReject)
}

// WithPaymentID appends payment_id to a merchant URL, with ? or & as the
// URL needs (tabby-api.md §4.2), leaving the merchant's own query as it is.
// It answers "" for a URL no browser may be sent to (one stored before
// merchant URLs were checked), so the hosted page shows its own page
// instead.
func WithPaymentID(raw, paymentID string) string {
	u, err := parseMerchantURL("", raw)
	if err != nil {
		return ""
	}
	q := url.Values{"payment_id": {paymentID}}.Encode()
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	return u.String()
}
