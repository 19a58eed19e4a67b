// Package mailtest runs a real SMTP server on loopback for tests
// (github.com/emersion/go-smtp): it speaks plain SMTP, STARTTLS or
// implicit TLS with a certificate made for the test, optionally requires
// a password, answers as a test tells it (421 then accept, always 550),
// and keeps every message it accepted, parsed, for the test to check.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how the server secures connections.
type Mode int

// The modes.
const (
	Plain    Mode = iota // no TLS: smtp://…?tls=none
	StartTLS             // STARTTLS offered: smtp://
	Implicit             // TLS from the first byte: smtps://
)

// Server is a running SMTP server.
type Server struct {
	Addr     string // 127.0.0.1:PORT
	mode     Mode
	user     string
	pass     string
	clientTC *tls.Config

	mu       sync.Mutex
	msgs     []*Message
	attempts int
	reply    func(attempt int) error
	arrived  chan struct{}
}

// Option configures a Server.
type Option func(*Server)

// WithTLS secures the server with mode.
func WithTLS(mode Mode) Option { return func(s *Server) { s.mode = mode } }

// WithAuth requires AUTH PLAIN with this user and password.
func WithAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// Message is one message the server accepted, parsed.
type Message struct {
	From   string   // envelope sender
	To     []string // envelope recipients
	Raw    []byte
	Header mail.Header
	Text   string // the text/plain part, decoded
	HTML   string // the text/html part, decoded
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1000)}
	for _, o := range opts {
		o(s)
	}
	cert, pool := selfSigned(t)
	s.clientTC = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = nopLogger{}
	srv.AllowInsecureAuth = s.mode == Plain
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serverTC := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch s.mode {
	case StartTLS:
		srv.TLSConfig = serverTC
	case Implicit:
		ln = tls.NewListener(ln, serverTC)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// URL is the --smtp-url that reaches this server.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	switch s.mode {
	case Plain:
		u.RawQuery = "tls=none"
	case Implicit:
		u.Scheme = "smtps"
	}
	return u.String()
}

// ClientTLS is a TLS configuration that trusts this server's certificate.
func (s *Server) ClientTLS() *tls.Config { return s.clientTC.Clone() }

// Reply makes the server answer each message's DATA with f(attempt),
// attempt counting from 1 across the server's life: nil accepts, an error
// is the reply (use Error). Nil f accepts everything.
func (s *Server) Reply(f func(attempt int) error) {
	s.mu.Lock()
	s.reply = f
	s.mu.Unlock()
}

// Error is an SMTP reply with the given code, e.g. Error(421, "try later").
func Error(code int, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// Attempts is how many messages were offered (accepted or not).
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Messages returns every accepted message so far.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

// Wait waits up to timeout until n messages were accepted and returns them.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []*Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := s.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("mailtest: %d message(s) arrived in %s, want %d", len(s.Messages()), timeout, n)
		}
	}
}

type session struct {
	s      *Server
	from   string
	to     []string
	authed bool
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	s.attempts++
	n, reply := s.attempts, s.reply
	s.mu.Unlock()
	if reply != nil {
		if err := reply(n); err != nil {
			return err
		}
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "unparsable message: " + err.Error()}
	}
	m.From, m.To = ss.from, ss.to
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Parse reads a raw message with net/mail and mime/multipart, decoding
// its text and HTML parts.
func Parse(raw []byte) (*Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	m := &Message{Raw: raw, Header: msg.Header}
	return m, m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func (m *Message) walk(contentType, cte string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	b, err := decode(cte, body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
