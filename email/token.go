package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// TokenLifetime is how long an unsubscribe link works: long enough for an
// old email found in an archive, short enough that a leaked link expires.
const TokenLifetime = 90 * 24 * time.Hour

// The unsubscribe token errors; the web layer shows their words on a page.
var (
	ErrBadToken     = townhall.Errorf(townhall.EINVALID, "This unsubscribe link is not valid: it may have been cut off or changed. Nothing was changed; open your email settings instead.")
	ErrExpiredToken = townhall.Errorf(townhall.EINVALID, "This unsubscribe link has expired. Nothing was changed; open your email settings instead.")
)

// tokens signs and checks unsubscribe tokens: the user, the kinds to
// switch off and an expiry, with an HMAC-SHA256 keyed from the app's
// secret, so a token cannot be guessed or altered and needs no sign-in.
type tokens struct{ key []byte }

func newTokens(secret []byte) tokens {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("townhall email unsubscribe v1"))
	return tokens{key: m.Sum(nil)}
}

func (t tokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// sign returns the token for switching userID's kinds off, valid until exp.
func (t tokens) sign(userID string, kinds []string, exp time.Time) string {
	payload := userID + "|" + strings.Join(kinds, ",") + "|" + strconv.FormatInt(exp.Unix(), 10)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(t.mac(payload))
}

// verify checks a token at now and returns what it names.
func (t tokens) verify(token string, now time.Time) (userID string, kinds []string, err error) {
	if len(token) > 1000 {
		return "", nil, ErrBadToken
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", nil, ErrBadToken
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, t.mac(string(payload))) {
		return "", nil, ErrBadToken
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 {
		return "", nil, ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", nil, ErrBadToken
	}
	if now.Unix() > exp {
		return "", nil, ErrExpiredToken
	}
	for _, k := range strings.Split(parts[1], ",") {
		if _, known := LookupKind(k); !known && k != DigestKind {
			return "", nil, ErrBadToken
		}
		kinds = append(kinds, k)
	}
	return parts[0], kinds, nil
}
