// Package static holds Townhall's hand-written CSS, JavaScript and icons.
// There is no build step: what is here is what browsers get.
package static

import "embed"

// FS holds every static file, served under /static/ with content-hashed URLs.
//
//go:embed *.css *.js *.svg
var FS embed.FS
