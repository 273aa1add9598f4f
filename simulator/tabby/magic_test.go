package tabby

import "testing"

func TestNationalNumber_PrescoringPhonesInEveryFormat(t *testing.T) {
	for _, phone := range []string{"500000002", "0500000002", "+971500000002", "971500000002", "+966500000002", "+96590000002", "00971 50 000 0002"} {
		if !prescoringRejects(&Buyer{Phone: phone}) {
			t.Errorf("%q should be rejected at pre-scoring", phone)
		}
	}
	for _, phone := range []string{"500000001", "+971500000001", "+966500000001", "0500000012", "+971512345678"} {
		if prescoringRejects(&Buyer{Phone: phone}) {
			t.Errorf("%q should pass pre-scoring", phone)
		}
	}
}
