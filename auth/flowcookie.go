package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// FlowCookie is the name of the short-lived cookie that carries one OAuth
// sign-in from its start to the provider's callback.
const FlowCookie = "townhall_oauth"

// FlowTTL is how long a browser has to come back from the provider.
const FlowTTL = 10 * time.Minute

// flow is what the cookie holds: enough to check the callback belongs to
// the sign-in this browser started, and the provider session (PKCE
// verifier, nonce) to finish it.
type flow struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	Session  string `json:"g"` // the goth session, marshalled
	Next     string `json:"n"`
	Fresh    bool   `json:"f,omitempty"` // see OAuth.BeginFresh
	Expires  int64  `json:"e"`           // unix seconds
}

// sealer encrypts and authenticates flow cookies with AES-GCM under a key
// derived from the app secret, so the browser can neither read the PKCE
// verifier nor forge a state.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) (*sealer, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: the session secret must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "townhall oauth flow cookie v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(f *flow) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(FlowCookie))), nil
}

// open returns the flow in a cookie value, or an error when it was tampered
// with, made with another secret, or has expired.
func (s *sealer) open(value string, now time.Time) (*flow, error) {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("malformed flow cookie")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(FlowCookie))
	if err != nil {
		return nil, errors.New("flow cookie does not authenticate")
	}
	var f flow
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, err
	}
	if now.Unix() > f.Expires {
		return nil, errors.New("flow cookie expired")
	}
	return &f, nil
}
