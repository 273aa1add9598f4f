package webhook

// forge replaces or removes the authentication header.
func (e *Engine) forge(d *Delivery, how string) {
	switch {
	case how == "":
	case d.AuthHeader == "":
		d.Chaos = append(d.Chaos, "forge: no authentication header is registered, so none was forged")
	case how == "missing":
		delete(d.Headers, d.AuthHeader)
		d.Chaos = append(d.Chaos, "forged: sent without the "+d.AuthHeader+" header")
	default:
		d.Headers[d.AuthHeader] = "forged-" + e.IDs.Hex(8)
		d.Chaos = append(d.Chaos, "forged: sent with a wrong "+d.AuthHeader+" header")
	}
}
