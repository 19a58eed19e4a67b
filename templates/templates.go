// Package templates holds Townhall's html/template files: layout.html wraps
// every page, partials/ holds shared blocks, and each file in pages/ is one
// page that defines "content" (and optionally "head" and "scripts").
package templates

import "embed"

// FS holds every template file.
//
//go:embed layout.html partials/*.html pages/*.html
var FS embed.FS

// Mail holds the email templates: for each email, NAME.txt (text/template)
// is the plain-text part and NAME.html (html/template) the HTML part.
//
//go:embed mail/*.html mail/*.txt
var Mail embed.FS
