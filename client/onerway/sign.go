package onerway

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	// ErrNoSignature is a message without a sign (absent, null or "").
	ErrNoSignature = errors.New("onerway: the message carries no sign")
	// ErrInvalidSignature is a sign that is not the one the secret key
	// gives for the message.
	ErrInvalidSignature = errors.New("onerway: sign does not match the message")
	// ErrNoSecret is a verification asked for with an empty secret key,
	// which would accept a sign anyone can compute.
	ErrNoSecret = errors.New("onerway: no secret key to verify with")
	// ErrMalformed is a message that is not the JSON object it should be.
	ErrMalformed = errors.New("onerway: malformed message")
)

// Kind says which of Onerway's three signature rules applies. All three
// concatenate the values of the non-empty fields, sorted by name, append the
// secret key and take the lower-case hex SHA-256; they differ in the fields
// they leave out.
type Kind int

const (
	// KindRequest signs every field but sign (onerway-api.md §2.1).
	KindRequest Kind = iota
	// KindResponse signs the fields of a response's data object but sign,
	// actionType and object-valued fields such as codeForm
	// (onerway-api.md §2.2).
	KindResponse
	// KindWebhook signs every field of a notification but the nine its
	// documentation marks unsigned (onerway-api.md §2.3), fields added
	// later included.
	KindWebhook
)

// webhookUnsigned are the notification fields whose Signature column says
// No (onerway-api.md §2.3); every other field is signed.
var webhookUnsigned = map[string]bool{
	"originTransactionId":        true,
	"originMerchantTxnId":        true,
	"customsDeclarationAmount":   true,
	"customsDeclarationCurrency": true,
	"paymentMethod":              true,
	"walletTypeName":             true,
	"periodValue":                true,
	"tokenExpireTime":            true,
	"sign":                       true,
}

// signs reports whether kind k signs field name.
func (k Kind) signs(name string) bool {
	switch k {
	case KindResponse:
		return name != "sign" && name != "actionType"
	case KindWebhook:
		return !webhookUnsigned[name]
	default:
		return name != "sign"
	}
}

// Fields are the top-level members of a JSON object, each value as the raw
// JSON text that was sent. Working from the raw text is what makes the sign
// cover exactly what travels: a nested JSON string is signed as the string
// it is, a number as the digits written, never as re-encoded Go values.
type Fields map[string]json.RawMessage

// ParseFields reads a JSON object's members. It fails with ErrMalformed on
// anything but a single JSON object, and on a name given twice.
func ParseFields(body []byte) (Fields, error) {
	members, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	f := make(Fields, len(members))
	for _, m := range members {
		f[m.name] = m.value
	}
	return f, nil
}

// signedText is the text a value contributes to the concatenation, and
// false when it contributes nothing: null, "", and for KindResponse an
// object or array. A string contributes its decoded value (a nested JSON
// string exactly as sent), a number or boolean its literal text, an object
// or array its raw text.
func signedText(k Kind, raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		return "", false
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			return "", false
		}
		return s, true
	case raw[0] == '{' || raw[0] == '[':
		return string(raw), k != KindResponse
	default:
		return string(raw), true
	}
}

// Concat is the string kind k signs before the secret key is appended: the
// values of the signed, non-empty fields in the ASCII order of their names,
// with no separator. "0" is kept; null and "" are left out.
func (f Fields) Concat(k Kind) string {
	names := make([]string, 0, len(f))
	for name := range f {
		if k.signs(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		if s, ok := signedText(k, f[name]); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

// Sign is the sign kind k gives f under secret: the lower-case hex SHA-256
// of Concat(k) followed by the secret key (a plain append, not an HMAC).
func (f Fields) Sign(k Kind, secret string) string {
	sum := sha256.Sum256([]byte(f.Concat(k) + secret))
	return hex.EncodeToString(sum[:])
}

// Verify checks f's sign field under kind k, comparing in constant time.
// It returns ErrNoSecret, ErrNoSignature or ErrInvalidSignature, or nil.
func (f Fields) Verify(k Kind, secret string) error {
	if secret == "" {
		return ErrNoSecret
	}
	got, ok := signedText(KindRequest, f["sign"])
	if !ok {
		return ErrNoSignature
	}
	want := f.Sign(k, secret)
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrInvalidSignature
	}
	return nil
}

// signObject encodes v as a JSON object, lets prepare rewrite each member's
// value, and returns the object with the sign kind k gives it as its last
// member, in place of any sign v had. Members keep v's order (a struct's
// field order; encoding/json sorts a map's keys).
func signObject(v any, k Kind, secret string, prepare func(json.RawMessage) (json.RawMessage, error)) ([]byte, error) {
	raw, err := marshal(v)
	if err != nil {
		return nil, fmt.Errorf("onerway: encoding the message: %w", err)
	}
	members, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	f := make(Fields, len(members))
	var b bytes.Buffer
	b.WriteByte('{')
	for _, m := range members {
		if m.name == "sign" {
			continue
		}
		val, err := prepare(m.value)
		if err != nil {
			return nil, err
		}
		f[m.name] = val
		b.Write(quote(m.name))
		b.WriteByte(':')
		b.Write(val)
		b.WriteByte(',')
	}
	b.WriteString(`"sign":`)
	b.Write(quote(f.Sign(k, secret)))
	b.WriteByte('}')
	return b.Bytes(), nil
}

func asIs(raw json.RawMessage) (json.RawMessage, error) { return raw, nil }

// SignRequest encodes a request about to be sent (a struct or a map) and
// returns the body with its sign. Object and array values become the JSON
// strings Onerway expects, inside out (products a string inside the string
// txnOrderMsg), and the sign covers those strings exactly as they appear in
// the body. Values that are strings already are sent and signed as they
// are; numbers keep their text. Empty and null values are sent but not
// signed.
func SignRequest(v any, secret string) ([]byte, error) {
	return signObject(v, KindRequest, secret, wireValue)
}

// VerifyRequest checks the sign of a request body as received. It returns
// ErrMalformed, ErrNoSecret, ErrNoSignature or ErrInvalidSignature, or nil.
func VerifyRequest(body []byte, secret string) error {
	f, err := ParseFields(body)
	if err != nil {
		return err
	}
	return f.Verify(KindRequest, secret)
}

// SignResponseData encodes a response's data object (a struct or a map)
// with its sign, ready to be placed in {respCode, respMsg, data}. Values are
// sent as they encode; object values such as codeForm are sent but not
// signed, nor is actionType.
func SignResponseData(data any, secret string) (json.RawMessage, error) {
	return signObject(data, KindResponse, secret, asIs)
}

// VerifyResponse checks data.sign in a response body {respCode, respMsg,
// data} as received; respCode and respMsg are not signed. A data that is
// not an object (the plain string of a refund, null on an error) carries no
// sign: ErrNoSignature. Onerway signs the data of payment responses only;
// list, refund and cancel answers carry no sign.
func VerifyResponse(body []byte, secret string) error {
	env, err := ParseFields(body)
	if err != nil {
		return err
	}
	data := bytes.TrimSpace(env["data"])
	if len(data) == 0 || data[0] != '{' {
		return ErrNoSignature
	}
	f, err := ParseFields(data)
	if err != nil {
		return err
	}
	return f.Verify(KindResponse, secret)
}
