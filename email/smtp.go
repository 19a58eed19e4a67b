package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP connection.
const (
	TLSStartTLS = "starttls" // smtp:// (the default): STARTTLS, required
	TLSImplicit = "implicit" // smtps://: TLS from the first byte
	TLSNone     = "none"     // smtp://…?tls=none: plain, for a local relay
)

// SMTP is a parsed --smtp-url: where and how to hand mail over.
type SMTP struct {
	Host     string
	Port     int
	TLS      string
	Username string
	Password string
}

// ParseSMTPURL reads --smtp-url: smtp://user:pass@host:587 (STARTTLS
// required), smtp://host:25?tls=none (no TLS, for a local relay) or
// smtps://user:pass@host:465 (implicit TLS). The error says what to fix.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("is not a URL like smtp://user:pass@host:587 (%v)", err)
	}
	c := &SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = TLSStartTLS, 587
	case "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	default:
		return nil, fmt.Errorf("must start with smtp:// (STARTTLS, or ?tls=none) or smtps:// (implicit TLS), not %q", u.Scheme+"://")
	}
	if c.Host == "" {
		return nil, fmt.Errorf("has no host: use smtp://user:pass@host:587")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("must not have a path (%q)", u.Path)
	}
	for k, v := range u.Query() {
		if k != "tls" {
			return nil, fmt.Errorf("has an unknown option %q; the only one is tls=none", k)
		}
		switch {
		case len(v) != 1:
			return nil, fmt.Errorf("gives tls more than once")
		case v[0] == "none" && u.Scheme == "smtp":
			c.TLS = TLSNone
			c.Port = 25
		case v[0] == "starttls" && u.Scheme == "smtp":
		default:
			return nil, fmt.Errorf("tls=%s is not possible with %s://; use smtp://host:25?tls=none for a plain connection", v[0], u.Scheme)
		}
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not a port number", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return nil, fmt.Errorf("has a password but no user name")
		}
	}
	if c.TLS == TLSNone && c.Password != "" && !loopback(c.Host) {
		return nil, fmt.Errorf("would send the password in clear text (tls=none to %s); use STARTTLS (smtp://) or smtps://", c.Host)
	}
	return c, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the server without its password, for logs and pages.
func (c *SMTP) String() string {
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("%s%s:%d (%s)", user, c.Host, c.Port, c.TLS)
}

// SMTPSender delivers messages to one SMTP server with go-mail, one
// connection per message.
type SMTPSender struct {
	Server *SMTP
	From   *mail.Address
	// TLSConfig, when set, replaces the default TLS settings (a private
	// CA, or a test server's certificate); its ServerName defaults to the host.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command (default 30 s).
	Timeout time.Duration
}

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	msg, err := BuildMsg(s.From, m)
	if err != nil {
		return permanentError{err}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Server.Port), gomail.WithTimeout(timeout)}
	switch s.Server.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.TLSConfig != nil {
		tc := s.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.Server.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if s.Server.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Server.Username), gomail.WithPassword(s.Server.Password))
	}
	c, err := gomail.NewClient(s.Server.Host, opts...)
	if err != nil {
		return permanentError{err}
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// BuildMsg turns a stored message into go-mail's, which writes the MIME:
// a multipart/alternative of the text and HTML parts, with the stored
// Message-ID, date and headers.
func BuildMsg(from *mail.Address, m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&mail.Address{Name: cleanLine(from.Name), Address: from.Address})
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.AddToMailAddress(to)
	msg.Subject(cleanLine(m.Subject))
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.CreatedAt)
	for _, h := range m.Headers {
		if strings.ContainsAny(h.Name+h.Value, "\r\n") || strings.ContainsAny(h.Name, ": ") {
			return nil, fmt.Errorf("header %q is not one line", h.Name)
		}
		msg.SetGenHeaderPreformatted(gomail.Header(h.Name), h.Value)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}
