package web

// IconsMarkup is the markup of every icon pages draw, so tests that look
// for injected SVG can tell the page's own icons apart.
func IconsMarkup() []string {
	out := make([]string, 0, len(icons))
	for name := range icons {
		out = append(out, string(icon(name)))
	}
	return out
}
