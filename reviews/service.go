package reviews

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// Notifier delivers in-app notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// Rewards is told, after a helpful vote, that a review was marked
// helpful, which may earn its author a badge; loyalty.Service implements it.
type Rewards interface {
	MarkedHelpful(ctx context.Context, userID string)
}

// HeldReason is the hidden note of a review held for review.
const HeldReason = "Waiting for review: a new member's review."

// Service is the reviews domain's rules: validation and authorization in
// front of the Store.
type Service struct {
	store  Store
	notify Notifier
	gate   townhall.Gate
	staff  townhall.StaffLog
	now    func() time.Time
	// Rewards, when set, hears of reviews marked helpful.
	Rewards Rewards
	// Events hears about new reviews and the business's first response
	// to each (webhooks); nil emits nothing.
	Events townhall.Emitter
}

// SetGate makes the service screen writes through g (nil: no screening).
func (s *Service) SetGate(g townhall.Gate) { s.gate = g }

// seesHidden reports whether actor sees hidden reviews: staff do.
func seesHidden(actor *townhall.User) bool { return actor.HasRole(townhall.Role.IsStaff) }

// visible fills r.Held and reports whether actor may see r: hidden reviews
// exist for staff, and for their author while held for review.
func (s *Service) visible(ctx context.Context, actor *townhall.User, r *Review) bool {
	if r.Hidden == nil {
		return true
	}
	r.Held = townhall.IsHeld(ctx, s.gate, townhall.KindReview, r.ID)
	return seesHidden(actor) || r.Held && actor.Is(r.AuthorID)
}

// NewService returns a Service over store; n may be nil (no notifications).
func NewService(store Store, n Notifier) *Service {
	return &Service{store: store, notify: n, now: time.Now}
}

// SetStaffLog makes the service record what the product team and
// moderators do (products, business responses, removed reviews) in l.
func (s *Service) SetStaffLog(l townhall.StaffLog) { s.staff = l }

// ProductInput is what a product form or API call sets. Nil fields of an
// update are left unchanged; on create a nil Slug is derived from the name.
type ProductInput struct {
	Name        *string
	Slug        *string
	Description *string
	ImageURL    *string
	Archived    *bool
}

// ReviewInput is what a review form or API call sets. Nil fields of an
// update are left unchanged; on create Rating is required.
type ReviewInput struct {
	Rating *int
	Title  *string
	Body   *string
}

func requireManager(actor *townhall.User) error {
	if err := townhall.SignedIn(actor, "manage products"); err != nil {
		return err
	}
	if !actor.Role.CanManageProduct() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the product team can manage products.")
	}
	return nil
}

// CreateProduct adds a product. Product team and admins only.
func (s *Service) CreateProduct(ctx context.Context, actor *townhall.User, in ProductInput) (*Product, error) {
	if err := requireManager(actor); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, townhall.Errorf(townhall.EINVALID, "Name is required.")
	}
	p := &Product{}
	derived := in.Slug == nil || strings.TrimSpace(*in.Slug) == ""
	if err := applyProduct(p, in); err != nil {
		return nil, err
	}
	if in.Archived != nil {
		p.Archived = *in.Archived
	}
	if derived {
		p.Slug = Slugify(p.Name)
	}
	p.ID = townhall.NewID()
	p.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	p.UpdatedAt = p.CreatedAt
	base := p.Slug
	for i := 2; ; i++ {
		err := s.store.CreateProduct(ctx, p)
		if err == nil {
			townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "product.create", TargetKind: "product",
				TargetID: p.ID, Target: p.Name, After: productFields(p)})
			return p, nil
		} else if !derived || townhall.ErrorCode(err) != townhall.ECONFLICT || i > 50 {
			return nil, err
		}
		// A derived slug that is taken gets a number, like handles do.
		suffix := "-" + strconv.Itoa(i)
		p.Slug = strings.TrimRight(truncate(base, MaxSlug-len(suffix)), "-") + suffix
	}
}

// UpdateProduct changes a product's fields. Product team and admins only.
func (s *Service) UpdateProduct(ctx context.Context, actor *townhall.User, ref string, in ProductInput) (*Product, error) {
	if err := requireManager(actor); err != nil {
		return nil, err
	}
	p, err := s.Product(ctx, ref)
	if err != nil {
		return nil, err
	}
	if in.Slug != nil && strings.TrimSpace(*in.Slug) == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "Slug is required.")
	}
	before := productFields(p)
	if err := applyProduct(p, in); err != nil {
		return nil, err
	}
	if in.Archived != nil {
		p.Archived = *in.Archived
	}
	p.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.UpdateProduct(ctx, p); err != nil {
		return nil, err
	}
	if b, a := changedFields(before, productFields(p)); len(a) > 0 {
		action := "product.update"
		if _, only := a["archived"]; only && len(a) == 1 {
			action = "product.unarchive"
			if p.Archived {
				action = "product.archive"
			}
		}
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: action, TargetKind: "product", TargetID: p.ID,
			Target: p.Name, Before: b, After: a})
	}
	return s.store.Product(ctx, p.ID)
}

// applyProduct validates the set fields of in onto p.
func applyProduct(p *Product, in ProductInput) error {
	if in.Name != nil {
		name, err := townhall.CleanText("Name", *in.Name, 1, MaxName)
		if err != nil {
			return err
		}
		if strings.ContainsAny(name, "\n\t") {
			return townhall.Errorf(townhall.EINVALID, "Name must be one line.")
		}
		p.Name = name
	}
	if in.Slug != nil && strings.TrimSpace(*in.Slug) != "" {
		slug := strings.ToLower(strings.TrimSpace(*in.Slug))
		if !ValidSlug(slug) {
			return townhall.Errorf(townhall.EINVALID, "Slug must be 1 to %d lowercase letters, digits and single dashes, like \"acme-router-x2\" (and not \"new\").", MaxSlug)
		}
		p.Slug = slug
	}
	if in.Description != nil {
		d, err := townhall.CleanText("Description", *in.Description, 0, MaxBody)
		if err != nil {
			return err
		}
		p.Description, p.DescriptionHTML = d, markdown.Render(d)
	}
	if in.ImageURL != nil {
		u, err := cleanImageURL(*in.ImageURL)
		if err != nil {
			return err
		}
		p.ImageURL = u
	}
	return nil
}

// Product finds a product by id or slug. Archived products are found too:
// their pages stay reachable with a notice.
func (s *Service) Product(ctx context.Context, ref string) (*Product, error) {
	ref = strings.TrimSpace(ref)
	if townhall.ValidID(ref) {
		p, err := s.store.Product(ctx, ref)
		if townhall.ErrorCode(err) != townhall.ENOTFOUND {
			return p, err
		}
	}
	if !ValidSlug(ref) {
		return nil, ErrProductNotFound
	}
	return s.store.ProductBySlug(ctx, ref)
}

// ProductFilter is which page of the product listing to show.
type ProductFilter struct {
	After    string // cursor from the previous page's Next
	Archived bool   // list archived products too (product team only)
}

// Products lists products by name. Archived ones are listed only for the
// product team, and only when asked for.
func (s *Service) Products(ctx context.Context, actor *townhall.User, f ProductFilter) (townhall.Page[*Product], error) {
	var page townhall.Page[*Product]
	q := ProductQuery{IncludeArchived: f.Archived && actor.HasRole(townhall.Role.CanManageProduct)}
	if f.After != "" {
		name, id, ok := decodeProductCursor(f.After)
		if !ok {
			return page, townhall.Errorf(townhall.EINVALID, "The page link is not valid; start from the first page.")
		}
		q.AfterName, q.AfterID = name, id
	}
	return townhall.Paginate(PageSize, func(n int) ([]*Product, error) {
		q.Limit = n
		return s.store.Products(ctx, q)
	}, func(last *Product) string { return encodeProductCursor(last.Name, last.ID) })
}

// CreateReview writes the actor's review of a product. One per customer per
// product: a second one is ECONFLICT (edit the first instead).
func (s *Service) CreateReview(ctx context.Context, actor *townhall.User, productRef string, in ReviewInput) (*Review, error) {
	if err := townhall.SignedIn(actor, "write a review"); err != nil {
		return nil, err
	}
	p, err := s.Product(ctx, productRef)
	if err != nil {
		return nil, err
	}
	if in.Rating == nil {
		return nil, townhall.Errorf(townhall.EINVALID, "Rating is required: choose 1 to 5 stars.")
	}
	r := &Review{ProductID: p.ID, AuthorID: actor.ID, AuthorName: actor.Name}
	if err := applyReview(r, in); err != nil {
		return nil, err
	}
	if p.Archived {
		return nil, ErrArchived(p.Name)
	}
	r.ID = townhall.NewID()
	r.Verified = actor.Verified
	r.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	r.UpdatedAt = r.CreatedAt
	hold, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindReview, r.ID, r.Title+"\n"+r.Body)
	if err != nil {
		return nil, err
	}
	if hold {
		// Held for review: stored hidden, out of the page and the rating,
		// until a moderator publishes it.
		r.Hidden, r.Held = &Hidden{Reason: HeldReason, At: r.CreatedAt}, true
	}
	if err := s.store.CreateReview(ctx, r); err != nil {
		return nil, err
	}
	townhall.NoteActivity(ctx, s.gate, actor.ID)
	if !r.Held {
		if after, err := s.store.Product(ctx, p.ID); err == nil {
			p = after // with this rating counted
		}
		s.emitReviewCreated(ctx, actor, p, r)
	}
	return r, nil
}

// SetHidden hides a review (with a reason staff see) or unhides it; its
// rating leaves or rejoins the product's. Moderators only; the staff log
// records it.
func (s *Service) SetHidden(ctx context.Context, actor *townhall.User, id string, hidden bool, reason string) (*Review, error) {
	return s.setHidden(ctx, actor, id, hidden, reason, true)
}

func (s *Service) setHidden(ctx context.Context, actor *townhall.User, id string, hidden bool, reason string, logged bool) (*Review, error) {
	if err := townhall.SignedIn(actor, "hide reviews"); err != nil {
		return nil, err
	}
	if !actor.Role.CanModerate() {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only moderators can hide reviews.")
	}
	r, err := s.Review(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var h *Hidden
	if hidden {
		reason, err := townhall.CleanText("Reason", reason, 1, 500)
		if err != nil {
			return nil, err
		}
		h = &Hidden{ByID: actor.ID, ByName: actor.Name, Reason: reason, At: s.now().UTC().Truncate(time.Millisecond)}
	}
	changed, err := s.store.SetReviewHidden(ctx, r.ID, h)
	if err != nil {
		return nil, err
	}
	if changed && logged {
		action, why := "review.unhide", ""
		if hidden {
			action, why = "review.hide", h.Reason
		}
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: action, TargetKind: "review", TargetID: r.ID,
			Target: r.Title, Before: map[string]bool{"hidden": !hidden}, After: map[string]bool{"hidden": hidden}, Reason: why})
	}
	return s.Review(ctx, actor, r.ID)
}

// Publish makes a review held for review public: its rating joins the
// product's, and its created event goes out as its author's. Moderators
// only; the review queue's decision is what the staff log records.
func (s *Service) Publish(ctx context.Context, actor, author *townhall.User, id string) (*Review, error) {
	before, err := s.Review(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	r, err := s.setHidden(ctx, actor, id, false, "", false)
	if err != nil || before.Hidden == nil {
		return r, err
	}
	if p, err := s.store.Product(ctx, r.ProductID); err == nil {
		s.emitReviewCreated(ctx, author, p, r)
	}
	return r, nil
}

// UpdateReview edits the actor's own review.
func (s *Service) UpdateReview(ctx context.Context, actor *townhall.User, id string, in ReviewInput) (*Review, error) {
	if err := townhall.SignedIn(actor, "edit your review"); err != nil {
		return nil, err
	}
	r, err := s.Review(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if r.AuthorID != actor.ID {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own review.")
	}
	if err := applyReview(r, in); err != nil {
		return nil, err
	}
	if _, err := townhall.ScreenWith(ctx, s.gate, actor, townhall.KindReview, "", r.Title+"\n"+r.Body); err != nil {
		return nil, err
	}
	r.Verified = actor.Verified
	r.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.UpdateReview(ctx, r); err != nil {
		return nil, err
	}
	return s.store.Review(ctx, r.ID, actor.ID)
}

func applyReview(r *Review, in ReviewInput) error {
	if in.Rating != nil {
		if *in.Rating < 1 || *in.Rating > 5 {
			return townhall.Errorf(townhall.EINVALID, "Rating must be a whole number of stars from 1 to 5.")
		}
		r.Rating = *in.Rating
	}
	if in.Title != nil {
		t, err := townhall.CleanText("Title", *in.Title, 0, MaxTitle)
		if err != nil {
			return err
		}
		if strings.ContainsAny(t, "\n\t") {
			return townhall.Errorf(townhall.EINVALID, "Title must be one line.")
		}
		r.Title = t
	}
	if in.Body != nil {
		b, err := townhall.CleanText("Review", *in.Body, 0, MaxBody)
		if err != nil {
			return err
		}
		r.Body, r.BodyHTML = b, markdown.Render(b)
	}
	return nil
}

// DeleteReview removes a review: its author may, and so may moderators.
func (s *Service) DeleteReview(ctx context.Context, actor *townhall.User, id string) (*Review, error) {
	if err := townhall.SignedIn(actor, "delete a review"); err != nil {
		return nil, err
	}
	r, err := s.Review(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if r.AuthorID != actor.ID && !actor.Role.CanModerate() {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "You can only delete your own review.")
	}
	if err := s.store.DeleteReview(ctx, r.ID); err != nil {
		return nil, err
	}
	if r.AuthorID != actor.ID {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "review.delete", TargetKind: "review", TargetID: r.ID,
			Target: s.reviewLabel(ctx, r), Before: map[string]any{"rating": r.Rating, "title": r.Title}})
	}
	return r, nil
}

// Review returns one review as actor (may be nil) sees it: Voted is
// theirs, and a hidden review is not found unless they may see it.
func (s *Service) Review(ctx context.Context, actor *townhall.User, id string) (*Review, error) {
	if !townhall.ValidID(id) {
		return nil, ErrReviewNotFound
	}
	r, err := s.store.Review(ctx, id, viewerID(actor))
	if err != nil {
		return nil, err
	}
	if !s.visible(ctx, actor, r) {
		return nil, ErrReviewNotFound
	}
	return r, nil
}

// MyReview returns the actor's review of a product, or nil when they have
// none (or nobody is signed in).
func (s *Service) MyReview(ctx context.Context, actor *townhall.User, productID string) (*Review, error) {
	if actor == nil {
		return nil, nil
	}
	r, err := s.store.ReviewByAuthor(ctx, productID, actor.ID)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	s.visible(ctx, actor, r) // their own: hidden or not, it blocks a second one
	return r, nil
}

// ReviewFilter is how a reader sorts and filters a product's reviews.
type ReviewFilter struct {
	Sort  string // one of Sorts; "" is SortHelpful
	Stars int    // 0 for all
	After string // cursor from the previous page's Next
}

// Reviews returns a page of a product's reviews.
func (s *Service) Reviews(ctx context.Context, actor *townhall.User, productID string, f ReviewFilter) (townhall.Page[*Review], error) {
	var page townhall.Page[*Review]
	if f.Sort == "" {
		f.Sort = SortHelpful
	}
	switch f.Sort {
	case SortHelpful, SortNewest, SortHighest, SortLowest:
	default:
		return page, townhall.Errorf(townhall.EINVALID, "Sort must be one of helpful, newest, highest or lowest.")
	}
	if f.Stars < 0 || f.Stars > 5 {
		return page, townhall.Errorf(townhall.EINVALID, "Stars must be a whole number from 1 to 5.")
	}
	q := ReviewQuery{ProductID: productID, Sort: f.Sort, Stars: f.Stars, ViewerID: viewerID(actor)}
	if f.After != "" {
		c, ok := decodeReviewCursor(f.After)
		if !ok {
			return page, townhall.Errorf(townhall.EINVALID, "The page link is not valid; start from the first page.")
		}
		q.After = &c
	}
	return townhall.Paginate(PageSize, func(n int) ([]*Review, error) {
		q.Limit = n
		return s.store.Reviews(ctx, q)
	}, func(last *Review) string { return encodeReviewCursor(f.Sort, last) })
}

// HelpfulAmong says which of ids actor found helpful: the helpful buttons
// of a page members share (no ids, or no actor, is none).
func (s *Service) HelpfulAmong(ctx context.Context, actor *townhall.User, ids []string) (map[string]bool, error) {
	if actor == nil || len(ids) == 0 {
		return map[string]bool{}, nil
	}
	return s.store.HelpfulAmong(ctx, actor.ID, ids)
}

// MarkHelpful records the actor's helpful vote and returns the review with
// its new count. Voting twice changes nothing; voting on your own review is
// EFORBIDDEN.
func (s *Service) MarkHelpful(ctx context.Context, actor *townhall.User, reviewID string) (*Review, error) {
	r, err := s.votable(ctx, actor, reviewID)
	if err != nil {
		return nil, err
	}
	added, helpful, err := s.store.AddHelpful(ctx, r.ID, actor.ID)
	if err != nil {
		return nil, err
	}
	if added && s.Rewards != nil {
		s.Rewards.MarkedHelpful(ctx, r.AuthorID)
	}
	r.Helpful, r.Voted = helpful, true
	return r, nil
}

// UnmarkHelpful takes the actor's helpful vote back (a no-op without one)
// and returns the review with its new count.
func (s *Service) UnmarkHelpful(ctx context.Context, actor *townhall.User, reviewID string) (*Review, error) {
	r, err := s.votable(ctx, actor, reviewID)
	if err != nil {
		return nil, err
	}
	_, helpful, err := s.store.RemoveHelpful(ctx, r.ID, actor.ID)
	if err != nil {
		return nil, err
	}
	r.Helpful, r.Voted = helpful, false
	return r, nil
}

func (s *Service) votable(ctx context.Context, actor *townhall.User, reviewID string) (*Review, error) {
	if err := townhall.SignedIn(actor, "vote"); err != nil {
		return nil, err
	}
	r, err := s.Review(ctx, actor, reviewID)
	if err != nil {
		return nil, err
	}
	if r.AuthorID == actor.ID {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "You can't vote on your own review.")
	}
	if r.Hidden != nil {
		return nil, ErrHidden
	}
	return r, nil
}

// Respond posts or edits the business's public response under a review and
// tells the reviewer. Product team and admins only.
func (s *Service) Respond(ctx context.Context, actor *townhall.User, reviewID, body string) (*Review, error) {
	r, err := s.teamReview(ctx, actor, reviewID, "respond", "respond to reviews")
	if err != nil {
		return nil, err
	}
	body, err = townhall.CleanText("Response", body, 1, MaxBody)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	resp := &Response{AuthorID: actor.ID, Body: body, BodyHTML: markdown.Render(body), CreatedAt: now, UpdatedAt: now}
	if err := s.store.SetResponse(ctx, r.ID, resp); err != nil {
		return nil, err
	}
	townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "review.respond", TargetKind: "review", TargetID: r.ID,
		Target: s.reviewLabel(ctx, r), Before: responseFields(r.Response), After: responseFields(resp)})
	first := r.Response == nil
	p, perr := s.store.Product(ctx, r.ProductID)
	if s.notify != nil && perr == nil {
		// After the write: a lost notification is a nuisance, not a corruption.
		_ = s.notify.Notify(ctx, actor.ID, []string{r.AuthorID}, "review_response",
			fmt.Sprintf("%s responded to your review of %s", actor.Name, p.Name),
			fmt.Sprintf("/products/%s#review-%s", p.Slug, r.ID))
	}
	after, err := s.store.Review(ctx, r.ID, actor.ID)
	if err == nil && first && perr == nil {
		s.emitReviewResponded(ctx, actor, p, after)
	}
	return after, err
}

// RemoveResponse takes the business's response under a review down, for
// a response posted in error or out of date. Product team and admins only;
// removing a response that is not there is not an error.
func (s *Service) RemoveResponse(ctx context.Context, actor *townhall.User, reviewID string) (*Review, error) {
	r, err := s.teamReview(ctx, actor, reviewID, "remove a response", "remove responses")
	if err != nil {
		return nil, err
	}
	if err := s.store.SetResponse(ctx, r.ID, nil); err != nil {
		return nil, err
	}
	if r.Response != nil {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "review.response_remove", TargetKind: "review",
			TargetID: r.ID, Target: s.reviewLabel(ctx, r), Before: responseFields(r.Response)})
	}
	return s.store.Review(ctx, r.ID, actor.ID)
}

// teamReview is the review a product team member acts on: signed in, on
// the product team, and a review they can see.
func (s *Service) teamReview(ctx context.Context, actor *townhall.User, reviewID, verb, what string) (*Review, error) {
	if err := townhall.SignedIn(actor, verb); err != nil {
		return nil, err
	}
	if !actor.Role.CanManageProduct() {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only the product team can %s.", what)
	}
	return s.Review(ctx, actor, reviewID)
}

func viewerID(actor *townhall.User) string {
	if actor == nil {
		return ""
	}
	return actor.ID
}

// productFields are what the staff log shows of a product.
func productFields(p *Product) map[string]any {
	return map[string]any{"name": p.Name, "slug": p.Slug, "description": p.Description, "image_url": p.ImageURL, "archived": p.Archived}
}

// changedFields keeps the fields whose values differ between before and
// after, so an update's entry shows only what it changed.
func changedFields(before, after map[string]any) (b, a map[string]any) {
	b, a = map[string]any{}, map[string]any{}
	for k, v := range after {
		if before[k] != v {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}

// responseFields is a business response as the staff log shows it.
func responseFields(r *Response) any {
	if r == nil {
		return nil
	}
	return map[string]any{"response": r.Body}
}

// reviewLabel names a review in the staff log: whose, of what.
func (s *Service) reviewLabel(ctx context.Context, r *Review) string {
	if p, err := s.store.Product(ctx, r.ProductID); err == nil {
		return fmt.Sprintf("%s’s review of %s", r.AuthorName, p.Name)
	}
	return r.AuthorName + "’s review"
}
