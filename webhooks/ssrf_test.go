package webhooks

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestForbidden(t *testing.T) {
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true},
		{"10.0.0.1", true}, {"172.16.5.4", true}, {"172.31.255.255", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fe80::1", true},
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true},
		{"224.0.0.1", true}, {"ff02::1", true}, {"255.255.255.255", true},
		{"100.64.0.1", true}, {"100.127.255.254", true},
		{"fc00::1", true}, {"fd12:3456::1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true},
		{"64:ff9b::7f00:1", true},   // NAT64 of 127.0.0.1
		{"2002:7f00:0001::1", true}, // 6to4 of 127.0.0.1
		{"192.0.2.10", true}, {"2001:db8::1", true},
		{"93.184.216.34", false}, {"8.8.8.8", false}, {"172.32.0.1", false}, {"100.128.0.1", false},
		{"2606:4700::1111", false}, {"64:ff9b::808:808", false}, {"::ffff:8.8.8.8", false},
	} {
		if got := Forbidden(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("Forbidden(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
}

// staticResolver answers fixed addresses per host, as DNS would.
type staticResolver map[string][]string

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	r := staticResolver{
		"hooks.example.com":  {"93.184.216.34"},
		"internal.corp":      {"10.0.0.5"},
		"mixed.example.com":  {"93.184.216.34", "127.0.0.1"}, // one bad answer is enough to refuse
		"rebind.example.com": {"169.254.169.254"},
	}
	ctx := context.Background()
	for _, c := range []struct {
		url     string
		private bool
		want    string // "" for accepted; else part of the message
	}{
		{"https://hooks.example.com/townhall", false, ""},
		{"HTTPS://hooks.example.com:8443/x?y=1", false, ""},
		{"https://internal.corp/x", false, "resolves to 10.0.0.5"},
		{"https://mixed.example.com/x", false, "127.0.0.1"},
		{"https://rebind.example.com/x", false, "169.254.169.254"},
		{"https://internal.corp/x", true, ""},
		{"https://nowhere.example.com/x", false, "does not exist"},
		{"ftp://hooks.example.com/x", false, "https://"},
		{"https:///nohost", false, "host name"},
		{"https://user:pw@hooks.example.com/x", false, "user name or password"},
		{"https://hooks.example.com/x#frag", false, "fragment"},
		{"https://hooks.example.com:99999/x", false, "invalid port"},
		{"https://hooks.example.com/" + strings.Repeat("a", MaxURL), false, "at most"},
		{"", false, "required"},
	} {
		got, err := CheckURL(ctx, c.url, c.private, r)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.url, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %q, %v; want an error with %q", c.url, got, err, c.want)
		}
	}
	if got, _ := CheckURL(ctx, "HTTPS://hooks.example.com/x", false, r); got != "https://hooks.example.com/x" {
		t.Errorf("normalized to %q", got)
	}
}

func TestSignVerify(t *testing.T) {
	at := time.Unix(1767225600, 0)
	body := []byte(`{"version":1}`)
	sig := Sign("whsec_test", at, body)
	// Computed independently: printf '1767225600.{"version":1}' | openssl dgst -sha256 -hmac whsec_test
	if sig != "t=1767225600,v1=0baaa6a6761248436e6f690a427245d8279502ecfe1c01c6aef5ff79c4c24a8b" {
		t.Fatalf("signature %q", sig)
	}
	for _, c := range []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   bool
	}{
		{"good", "whsec_test", sig, body, at.Add(time.Minute), true},
		{"wrong secret", "other", sig, body, at, false},
		{"changed body", "whsec_test", sig, []byte(`{"version":2}`), at, false},
		{"too old", "whsec_test", sig, body, at.Add(10 * time.Minute), false},
		{"garbage", "whsec_test", "v1=abc", body, at, false},
		{"rotated: a second v1 matches", "whsec_test", "t=1767225600,v1=00," + strings.TrimPrefix(sig, "t=1767225600,"), body, at, true},
	} {
		if got := Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); got != c.want {
			t.Errorf("%s: Verify = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSlackBody(t *testing.T) {
	got := string(slackBody(&delivery{Summary: "Ann said <hi> & left", URL: "https://x.example.com/t/1?a=b|c"}))
	want := `{"text":"Ann said \u0026lt;hi\u0026gt; \u0026amp; left \u003chttps://x.example.com/t/1?a=b%7Cc|Open\u003e"}`
	if got != want {
		t.Fatalf("slack body %s, want %s", got, want)
	}
}
