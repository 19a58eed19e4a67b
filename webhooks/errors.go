package webhooks

import "github.com/townhall/townhall"

// The webhook rules' errors; both backends return ErrNotFound.
var (
	ErrNotFound         = townhall.Errorf(townhall.ENOTFOUND, "Webhook endpoint not found.")
	ErrDeliveryNotFound = townhall.Errorf(townhall.ENOTFOUND, "Delivery not found.")
)

// errPrivate says a URL's host is (or resolves to) an address deliveries
// may not reach.
func errPrivate(host, addr string) *townhall.Error {
	return townhall.Errorf(townhall.EINVALID,
		"URL: %s resolves to %s, a private, loopback or link-local address; webhooks only go to public internet addresses (an operator can allow private ones with --webhooks-allow-private).",
		host, addr)
}
