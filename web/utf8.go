package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// validUTF8 refuses, before any handler runs, a request whose path, query
// string, form body or JSON body is not valid UTF-8. Left alone, each layer
// would silently turn the bad bytes into U+FFFD (Go's JSON decoder does so
// for invalid bytes and for unpaired \u surrogate escapes; form and query
// parsing pass them on), and the replacement characters would be stored as
// if the person had typed them. Checking once here covers every route,
// including path parameters, which Gin takes from the decoded path.
func (s *Server) validUTF8(c *gin.Context) error {
	if !utf8.ValidString(c.Request.URL.Path) {
		return townhall.Errorf(townhall.EINVALID, "The address (URL path) is not valid UTF-8.")
	}
	if err := checkQuery("query parameter", c.Request.URL.RawQuery); err != nil {
		return err
	}
	if c.Request.Body == nil || c.Request.Body == http.NoBody || !isWrite(c.Request.Method) {
		c.Next()
		return nil
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var check func([]byte) error
	switch mt {
	case "application/x-www-form-urlencoded":
		check = func(b []byte) error { return checkQuery("form field", string(b)) }
	case "application/json", "":
		// decodeJSON takes a body without a Content-Type as JSON too.
		check = checkJSONText
	default:
		c.Next() // other bodies are refused or ignored by their handlers
		return nil
	}
	// limitBody capped the body already, so reading it whole is bounded.
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return asTownhall(err)
	}
	if err := check(b); err != nil {
		return err
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(b))
	c.Next()
	return nil
}

// checkQuery checks a URL-encoded query string or form body: each name and
// value, once decoded, must be valid UTF-8. what names the parts in the
// message ("query parameter", "form field").
func checkQuery(what, raw string) error {
	if raw == "" {
		return nil
	}
	// Pairs ParseQuery cannot decode (a bad %-escape) reach no handler
	// either: Gin parses the same way and skips them, so only the pairs
	// it returns need checking.
	vals, _ := url.ParseQuery(raw)
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return townhall.Errorf(townhall.EINVALID, "A %s name is not valid UTF-8.", what)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return townhall.Errorf(townhall.EINVALID, "The %s %q is not valid UTF-8.", what, k)
			}
		}
	}
	return nil
}

// checkJSONText refuses a JSON text with bytes that are not UTF-8, or with
// a \u escape that is half of a surrogate pair without its other half:
// both are what encoding/json would quietly replace with U+FFFD. Syntax is
// left to the decoder, which reports it better.
func checkJSONText(b []byte) error {
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, n := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return townhall.Errorf(townhall.EINVALID, "The JSON body is not valid UTF-8 (at byte %d).", off)
	}
	inString := false
	for i := 0; i < len(b); i++ {
		switch {
		case !inString:
			inString = b[i] == '"'
		case b[i] == '"':
			inString = false
		case b[i] == '\\' && i+1 < len(b):
			if b[i+1] != 'u' {
				i++ // a one-character escape: \" \\ \n ...
				continue
			}
			hi, ok := hex4(b, i+2)
			if !ok {
				continue // the decoder reports the bad escape
			}
			switch {
			case hi >= 0xD800 && hi <= 0xDBFF:
				lo, ok := uint64(0), false
				if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
					lo, ok = hex4(b, i+8)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return loneSurrogate(i)
				}
				i += 11
			case hi >= 0xDC00 && hi <= 0xDFFF:
				return loneSurrogate(i)
			default:
				i += 5
			}
		}
	}
	return nil
}

func loneSurrogate(at int) error {
	return townhall.Errorf(townhall.EINVALID,
		"The JSON body has a \\u escape at byte %d that is half of a UTF-16 surrogate pair, which is not a character.", at)
}

// hex4 reads the four hex digits at b[i:i+4].
func hex4(b []byte, i int) (uint64, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return v, err == nil
}
