package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/townhall/townhall"
)

// Server-side request forgery: a webhook URL is a request the server makes
// on an admin's behalf, so it must not reach what only the server can
// reach (its own loopback, the cloud metadata service at 169.254.169.254,
// the private network behind it). URLs are checked when registered, but a
// name can resolve elsewhere later (DNS rebinding), so every connection is
// checked again on the address actually dialled, in the dialer's Control
// hook, after resolution and before a byte is sent.

// reserved are ranges that are no public internet destination beyond what
// netip's predicates cover (private, loopback, link-local, multicast,
// unspecified).
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96") // embeds an IPv4 address
	sixToF4 = netip.MustParsePrefix("2002::/16")    // 6to4: embeds an IPv4 address
)

// Forbidden reports whether deliveries may not go to ip: loopback,
// private (including IPv6 unique local), link-local, multicast,
// unspecified, carrier-grade NAT and other reserved ranges, and IPv6
// addresses that embed such an IPv4 address (mapped, NAT64, 6to4).
func Forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return true
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		if nat64.Contains(ip) {
			return Forbidden(netip.AddrFrom4([4]byte(b[12:16])))
		}
		if sixToF4.Contains(ip) {
			return Forbidden(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return false
}

// refusedError is a connection the guard would not open.
type refusedError struct{ addr string }

func (e *refusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: a private, loopback or link-local address (set --webhooks-allow-private to allow it)", e.addr)
}

// control is the dialer's Control hook: it sees the resolved address of
// every connection about to be made.
func control(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return &refusedError{address}
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || Forbidden(ip) {
			return &refusedError{host}
		}
		return nil
	}
}

// NewClient returns the HTTP client deliveries use: no proxy (a proxy
// would dial for us, unchecked), no redirects (a receiver answers where it
// is registered), the guard on every connection, and a timeout.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: control(allowPrivate)}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: Timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Resolver looks up a host's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL validates an endpoint URL and returns it normalized: http or
// https, a host, no credentials or fragment, at most MaxURL long, and
// (unless allowPrivate) a host that is, or resolves only to, public
// addresses.
func CheckURL(ctx context.Context, raw string, allowPrivate bool, r Resolver) (string, error) {
	raw, err := townhall.CleanText("URL", raw, 1, MaxURL)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", townhall.Errorf(townhall.EINVALID, "URL is not a valid URL.")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", townhall.Errorf(townhall.EINVALID, "URL must start with https:// (or http://).")
	case u.Hostname() == "":
		return "", townhall.Errorf(townhall.EINVALID, "URL needs a host name, like https://hooks.example.com/townhall.")
	case u.User != nil:
		return "", townhall.Errorf(townhall.EINVALID, "URL must not contain a user name or password; put a secret in the path or use the signing secret.")
	case u.Fragment != "":
		return "", townhall.Errorf(townhall.EINVALID, "URL must not have a #fragment.")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", townhall.Errorf(townhall.EINVALID, "URL has an invalid port %q.", p)
		}
	}
	if !allowPrivate {
		if err := checkHost(ctx, u.Hostname(), r); err != nil {
			return "", err
		}
	}
	return u.String(), nil
}

func checkHost(ctx context.Context, host string, r Resolver) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if Forbidden(ip) {
			return errPrivate(host, ip.String())
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return townhall.Errorf(townhall.EINVALID, "URL: the host %.100q does not exist (no DNS record).", host)
		}
		return townhall.Errorf(townhall.EINVALID, "URL: the host %.100q could not be resolved; check the name and try again.", host)
	}
	for _, a := range addrs {
		if Forbidden(a) {
			return errPrivate(host, a.String())
		}
	}
	return nil
}
