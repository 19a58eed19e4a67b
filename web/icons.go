package web

import (
	"html/template"
	"strings"
)

// icons are the inline SVG icons pages draw, as the inner shapes of a
// 24×24 stroked icon: text-coloured (currentColor), so they follow the
// theme, and shapes rather than emoji, which show as empty boxes where no
// emoji font is installed. Drawn for Townhall from simple lines and arcs.
var icons = map[string]string{
	"bell":    `<path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>`,
	"menu":    `<path d="M4 7h16M4 12h16M4 17h16"/>`,
	"search":  `<circle cx="11" cy="11" r="6.5"/><path d="M16 16l4.5 4.5"/>`,
	"chevron": `<path d="M7 10l5 5 5-5"/>`,
	"heart":   `<path d="M12 20s-7.5-4.6-7.5-10.2A4.2 4.2 0 0 1 12 7.3a4.2 4.2 0 0 1 7.5 2.5C19.5 15.4 12 20 12 20z"/>`,
	"pin":     `<path d="M9 3.5h6l-1 5.5 3.5 3.5h-11L10 9z"/><path d="M12 12.5V21"/>`,
	"lock":    `<rect x="5" y="11" width="14" height="9.5" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>`,
	"check":   `<path d="M5 12.5l4.5 4.5L19 7.5"/>`,
	"star":    `<path d="M12 3.5l2.6 5.6 6 .7-4.5 4.1 1.2 6-5.3-3-5.3 3 1.2-6-4.5-4.1 6-.7z"/>`,
	"crown":   `<path d="M3.5 18.5h17l-1.5-10-4.5 4-2.5-7-2.5 7-4.5-4z"/>`,
	"trophy":  `<path d="M8 4h8v5.5a4 4 0 0 1-8 0z"/><path d="M8 6H4.5a3.5 3.5 0 0 0 3.8 4M16 6h3.5a3.5 3.5 0 0 1-3.8 4"/><path d="M12 13.5V17M8.5 20.5h7M10 17h4"/>`,
	"user":    `<circle cx="12" cy="8" r="4"/><path d="M4.5 20.5a7.5 7.5 0 0 1 15 0"/>`,
}

// icon returns an inline SVG icon, hidden from assistive technology: the
// control or text beside it says what it means.
func icon(name string) template.HTML {
	shapes, ok := icons[name]
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<svg class="icon icon-`)
	b.WriteString(name)
	b.WriteString(`" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">`)
	b.WriteString(shapes)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
