package tabbyapi

import (
	"testing"

	"github.com/tabbysim/tabbysim/simulator/apperr"
)

// FuzzDecodeCheckout feeds arbitrary bodies to the create-session decoder
// and the domain's validator: they must answer with an application error,
// never panic. The seeds run as a normal test under go test.
func FuzzDecodeCheckout(f *testing.F) {
	seeds := []string{
		`{"payment":{"amount":"100.00","currency":"AED","buyer":{"email":"otp.success@tabby.ai","phone":"+971500000001"}},"lang":"en","merchant_code":"ae"}`,
		`{"payment":{"amount":"1.234","currency":"KWD","buyer":{"email":"a@b.co","phone":"90000001","dob":"2000-01-20"},"order":{"reference_id":"1","items":[{"title":"t","quantity":1,"unit_price":"1.234","category":"c"}]}},"merchant_code":"kw"}`,
		`{"payment":{"amount":100}}`,
		`{"payment":{"amount":"1","currency":"AED","buyer":{"email":"x","phone":"1"}},"merchant_code":"ae","merchant_urls":{"success":"::"}}`,
		`{"payment":{"order":{"items":[{"quantity":"one"}]}}}`,
		`{"payment":null}`,
		`[]`,
		`{`,
		``,
		`{"payment":{"amount":"1.","currency":"SAR"}}{}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeCheckout(body)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("decode error %v is not an Invalid application error", err)
			}
			return
		}
		for _, strict := range []bool{false, true} {
			if amount, err := req.Validate(strict); err != nil {
				if apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("validate error %v is not an Invalid application error", err)
				}
			} else if amount <= 0 {
				t.Fatalf("a valid request has amount %d", amount)
			}
		}
	})
}
