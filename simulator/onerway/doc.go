// Package onerway is the simulated Onerway payment gateway's domain: its
// transactions, kept in the store, and the Tabby payments it makes for them
// underneath. It knows nothing of HTTP; onerwayapi serves it in Onerway's
// wire format and the hpp package serves its cashier page.
//
// A Tabby payment through the gateway (txnType SALE) is a Transaction
// created in status R together with a Tabby checkout session, in one store
// transaction. The gateway then follows the Tabby payment as an observer of
// its lifecycle (Service.Observe): authorization makes the transaction S,
// rejection, cancellation and expiry make it F with a reason, and each final
// status goes to the merchant's notifyUrl as a signed TXN notification
// through the webhook engine, under WebhookPolicy. Every time is read from
// the merchant's clock.
//
// After the payment: a refund is a transaction of its own (TxnType REFUND,
// refund.go) that an audit decides on a timer, refunding the Tabby payment
// underneath when it passes; cancelTxn stops a payment still processing
// (cancel.go); a successful payment settles in USD (settlement.go), virtual
// goods after success, physical goods after a logistics upload
// (logistics.go). Their timers are registered by Start.
package onerway
