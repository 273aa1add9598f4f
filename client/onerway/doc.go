// Package onerway signs and verifies the messages of the Onerway payment
// gateway's acquiring API, for a merchant's code and for a gateway alike
// (tabbysim's simulated gateway uses it too, so both sides share one
// implementation).
//
// Onerway has one algorithm (https://docs.onerway.com/apis/en/v0.6/sign,
// and .../transaction-notification for webhooks; onerway-api.md §2): take
// the non-empty fields of a JSON object, sort them by name, concatenate
// their values with no separator,
// append the merchant's secret key, and the sign is the lower-case hex
// SHA-256 of that string. "0" counts as a value; null and "" do not. Three
// kinds of message differ only in what they leave out:
//
//   - requests (SignRequest, VerifyRequest): only sign;
//   - a response's data object (SignResponseData, VerifyResponse): sign,
//     actionType, and object-valued fields such as codeForm;
//   - notifications, i.e. webhooks (SignWebhook, VerifyWebhook,
//     ParseWebhook): the nine fields Onerway documents as unsigned, so any
//     field Onerway adds later is signed.
//
// Nested objects (txnOrderMsg, billingInformation, lpmsInfo…) travel as JSON
// strings inside the JSON body, and are signed as those strings exactly as
// sent. Verification therefore works on the raw body, never on a decoded and
// re-encoded copy, and SignRequest turns nested Go values into the strings
// it sends before signing them, so the sign always covers the bytes on the
// wire. Verification compares in constant time and reports ErrNoSignature,
// ErrInvalidSignature, ErrNoSecret or ErrMalformed. SignedWebhook builds
// signed notifications for a merchant's own tests.
//
// Client calls the gateway's endpoints for a Tabby payment (doTransaction,
// txn/list, onlineRefund, cancelTxn and the logistics upload), signing every
// request and verifying the sign of every answer Onerway signs.
package onerway
