package web

import (
	"html/template"
	"strconv"
	"strings"
)

// HTML is the like button written out directly. A thread page shared by
// members draws three of them per post (overlay.go), and as a template
// each one was a dozen reflective escaper calls: the partial was the
// largest single share of a loaded server's template time. It writes
// exactly what html/template made of the old partial (likes_html_internal_test.go
// holds that partial and compares the two).
func (b likeButton) HTML() template.HTML {
	var w strings.Builder
	w.Grow(512)
	b.write(&w)
	return template.HTML(w.String())
}

// write puts the button in w, for blocks that are written out too.
func (b likeButton) write(w htmlWriter) {
	count := func(testid bool) {
		w.WriteString(heartIcon)
		w.WriteString(`<span class="like-count"`)
		if testid {
			w.WriteString(` data-testid="like-count"`)
		}
		w.WriteString(`>`)
		w.WriteString(strconv.Itoa(b.Likes))
		w.WriteString(`</span><span class="visually-hidden"> `)
		if b.Likes == 1 {
			w.WriteString("like")
		} else {
			w.WriteString("likes")
		}
	}
	switch {
	case b.Off:
		w.WriteString(`<span class="like-button is-static" title="Likes">`)
		count(false)
		w.WriteString(`</span></span>`)
	case !b.SignedIn:
		w.WriteString(`<a class="like-button" href="/signin?next=`)
		w.WriteString(urlProcess(b.Next, false))
		w.WriteString(`" title="Sign in to like">`)
		count(false)
		w.WriteString(`; sign in to like</span></a>`)
	case b.Own:
		w.WriteString(`<span class="like-button is-static" title="Likes of what you wrote">`)
		count(true)
		w.WriteString(`</span></span>`)
	default:
		liked := strconv.FormatBool(b.Liked)
		w.WriteString(`<form class="like-form" method="post" action="`)
		w.WriteString(attrEscape(safeURL(b.Action)))
		w.WriteString(`" data-kind="`)
		w.WriteString(attrEscape(b.Kind))
		w.WriteString(`" data-id="`)
		w.WriteString(attrEscape(b.ID))
		w.WriteString(`" data-liked="` + liked + `">` + "\n  ")
		w.WriteString(`<input type="hidden" name="on" value="` + strconv.FormatBool(!b.Liked) + `">` + "\n  ")
		w.WriteString(`<button type="submit" class="like-button" aria-pressed="` + liked + `" title="`)
		if b.Liked {
			w.WriteString("Unlike")
		} else {
			w.WriteString("Like")
		}
		w.WriteString(`" data-testid="like">`)
		count(true)
		w.WriteString(`</span></button>` + "\n</form>")
	}
}

// heartIcon is drawn once rather than per button.
var heartIcon = string(icon("heart"))

// attrEscape escapes s for a quoted attribute or text the way
// html/template does. Most values (IDs, slugs, names) need nothing, so
// they come back as they are, without a copy.
func attrEscape(s string) string {
	i := 0
	for i < len(s) && !attrSpecial[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	var w strings.Builder
	w.Grow(len(s) + 8)
	w.WriteString(s[:i])
	for _, r := range s[i:] {
		switch r {
		case 0:
			w.WriteString("\uFFFD")
		case '"':
			w.WriteString("&#34;")
		case '&':
			w.WriteString("&amp;")
		case '\'':
			w.WriteString("&#39;")
		case '+':
			w.WriteString("&#43;")
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		default:
			w.WriteRune(r)
		}
	}
	return w.String()
}

// attrSpecial marks the bytes attrEscape replaces.
var attrSpecial = [256]bool{0: true, '"': true, '&': true, '\'': true, '+': true, '<': true, '>': true}

// safeURL is u normalized for an href or action, or html/template's
// "#ZgotmplZ" when it has a scheme other than http, https or mailto.
func safeURL(u string) string {
	if i := strings.IndexByte(u, ':'); i >= 0 && !strings.Contains(u[:i], "/") {
		if scheme := strings.ToLower(u[:i]); scheme != "http" && scheme != "https" && scheme != "mailto" {
			return "#ZgotmplZ"
		}
	}
	return urlProcess(u, true)
}

// urlProcess percent-encodes s as html/template does: all but unreserved
// bytes when it is a value in a query (norm false), and only what may not
// appear in a URL at all when it is a whole URL (norm true). A string that
// needs nothing (nearly every link a page writes) is returned as it is.
func urlProcess(s string, norm bool) string {
	const hex = "0123456789abcdef"
	var w strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			continue
		case norm && strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0,
			norm && c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		if written == 0 {
			w.Grow(len(s) + 16)
		}
		w.WriteString(s[written:i])
		w.WriteByte('%')
		w.WriteByte(hex[c>>4])
		w.WriteByte(hex[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	w.WriteString(s[written:])
	return w.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
