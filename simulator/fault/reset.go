package fault

// Reset resets the connection (TCP RST) without handling the request or
// answering it: the client reads "connection reset by peer".
type Reset struct{}

func init() { register("reset", func() Action { return &Reset{} }, "") }

// Kind implements Action.
func (*Reset) Kind() string { return "reset" }

// Check implements Action.
func (*Reset) Check() error { return nil }

// Serve implements RequestAction.
func (*Reset) Serve(x *Exchange) { x.drop(true) }
