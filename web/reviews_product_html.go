package web

import (
	"html/template"
	"strconv"
	"strings"
)

// SummaryHTML and ListHTML are the product page's rating summary, and its
// toolbar with the page of reviews, written out directly: as a template
// the histogram's links and the toolbar's options were half of the page's
// render. They write exactly what html/template made of the old
// reviews_product.html; reviews_product_html_internal_test.go holds that
// page and compares the two. The product's head and the member's own
// review button, holes on a shared page, stay a template.

// SummaryHTML is the average, the count and the histogram.
func (d *productPageData) SummaryHTML() template.HTML {
	r := d.Product.Rating
	var w strings.Builder
	w.Grow(3072)
	w.WriteString("<section class=\"card rating-summary\" aria-labelledby=\"summary-heading\">\n" +
		"    <h2 id=\"summary-heading\">Customer ratings</h2>\n    <div class=\"rating-big\">\n      ")
	if r.Count != 0 {
		avg := r.Average()
		w.WriteString("\n      <span class=\"rating-average\" data-testid=\"rating-average\">" + strconv.FormatFloat(avg, 'f', 1, 64) +
			"</span>\n      <span class=\"stars\" aria-hidden=\"true\">" + starText(avg) +
			"</span>\n      <span class=\"visually-hidden\">out of 5 stars</span>\n      ")
	} else {
		w.WriteString("\n      <span class=\"rating-average muted\" data-testid=\"rating-average\">–</span>\n      ")
	}
	count := strconv.Itoa(r.Count)
	w.WriteString("\n      <span class=\"muted\" data-testid=\"rating-count\">" + attrEscape(countOf(r.Count, "review", "reviews")) +
		"</span>\n    </div>\n    <ul class=\"histogram\">\n      ")
	meterMax := "1"
	if r.Count != 0 {
		meterMax = count
	}
	for _, b := range r.Bars() {
		stars, n := strconv.Itoa(b.Stars), strconv.Itoa(b.Count)
		w.WriteString("\n      <li>\n        <a href=\"" + attrEscape(safeURL(withQuery(d.URL, "stars", stars, "after", ""))) + `"`)
		if d.Stars == b.Stars {
			w.WriteString(` aria-current="true"`)
		}
		w.WriteString(">" + stars + " star")
		if b.Stars != 1 {
			w.WriteByte('s')
		}
		w.WriteString("</a>\n        <meter min=\"0\" max=\"" + meterMax + "\" value=\"" + n + "\" aria-label=\"" + stars + " stars: " + n + " of " + count +
			" ratings\">" + strconv.Itoa(b.Percent) + "%</meter>\n        <span class=\"muted\" data-testid=\"histogram-" + stars + "\">" + n +
			"</span>\n      </li>\n      ")
	}
	w.WriteString("\n    </ul>\n  </section>")
	return template.HTML(w.String())
}

// ListHTML is the sort and rating toolbar, the page of reviews and the
// link to the next one, or what the page says without reviews.
func (d *productPageData) ListHTML() (template.HTML, error) {
	p := d.Product
	var w strings.Builder
	n := 3072
	for _, r := range d.Reviews {
		n += 3072 + len(r.BodyHTML)
	}
	w.Grow(n)
	if p.Rating.Count != 0 {
		w.WriteString("\n    <form class=\"review-toolbar row\" method=\"get\" action=\"/products/" + attrEscape(urlProcess(p.Slug, true)) + "\">\n" +
			"      <div class=\"toolbar-field\">\n        <label for=\"review-sort\">Sort by</label>\n" +
			"        <select id=\"review-sort\" name=\"sort\" data-autosubmit>\n          ")
		for _, s := range d.Sorts {
			w.WriteString(`<option value="` + attrEscape(s.Value) + `"`)
			if s.Value == d.Sort {
				w.WriteString(" selected")
			}
			w.WriteString(">" + attrEscape(s.Label) + "</option>")
		}
		w.WriteString("\n        </select>\n      </div>\n      <div class=\"toolbar-field\">\n        <label for=\"review-stars\">Show</label>\n" +
			"        <select id=\"review-stars\" name=\"stars\" data-autosubmit>\n          <option value=\"\">All ratings</option>\n          ")
		for _, c := range ratingChoices() {
			stars := strconv.Itoa(c.Stars)
			w.WriteString(`<option value="` + stars + `"`)
			if c.Stars == d.Stars {
				w.WriteString(" selected")
			}
			w.WriteString(">" + stars + " star")
			if c.Stars != 1 {
				w.WriteByte('s')
			}
			w.WriteString(" only</option>")
		}
		w.WriteString("\n        </select>\n      </div>\n      <button type=\"submit\" class=\"js-hide\">Apply</button>\n    </form>\n    ")
	}
	w.WriteString("\n    ")
	if len(d.Reviews) > 0 {
		w.WriteString("\n    <ol class=\"review-list\">\n      ")
		for _, r := range d.Reviews {
			h, err := d.ReviewHTML(r)
			if err != nil {
				return "", err
			}
			w.WriteString("\n      ")
			w.WriteString(string(h))
			w.WriteString("\n      ")
		}
		w.WriteString("\n    </ol>\n    ")
		if d.Next != "" {
			w.WriteString(`<nav class="pager" aria-label="More reviews"><a class="button" rel="next" href="` +
				attrEscape(safeURL(withQuery(d.URL, "after", d.Next))) + `">More reviews →</a></nav>`)
		}
		w.WriteString("\n    ")
	} else {
		w.WriteString("\n    ")
		if d.Stars != 0 {
			w.WriteString("\n    <p class=\"empty\">No " + strconv.Itoa(d.Stars) + "-star reviews. <a href=\"" +
				attrEscape(safeURL(withQuery(d.URL, "stars", "", "after", ""))) + "\">Show all ratings</a></p>\n    ")
		} else {
			w.WriteString("\n    <p class=\"empty\">No reviews yet.")
			if !p.Archived {
				w.WriteString(" Be the first to tell other customers what you think.")
			}
			w.WriteString("</p>\n    ")
		}
		w.WriteString("\n    ")
	}
	return template.HTML(w.String()), nil
}
