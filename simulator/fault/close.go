package fault

// Close closes the connection without handling the request or answering
// it: the client reads an unexpected end of file.
type Close struct{}

func init() { register("close", func() Action { return &Close{} }, "") }

// Kind implements Action.
func (*Close) Kind() string { return "close" }

// Check implements Action.
func (*Close) Check() error { return nil }

// Serve implements RequestAction.
func (*Close) Serve(x *Exchange) { x.drop(false) }
