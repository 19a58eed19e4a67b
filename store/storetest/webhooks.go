package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/webhooks"
)

// webhookCases are the webhook rules of the contract, each run on a fresh backend.
var webhookCases = []Case{
	{"StoreUpdateDelete", webhooksStoreUpdateDelete},
	{"AttemptsMoveHealth", webhooksAttemptsMoveHealth},
	{"ConcurrentFailuresCountExactly", webhooksConcurrentFailures},
	{"DisableOnceEnableClears", webhooksDisableOnce},
	{"AdminsAndPrune", webhooksAdminsAndPrune},
}

func newEndpoint(url string, at time.Time) *webhooks.Endpoint {
	return &webhooks.Endpoint{ID: townhall.NewID(), URL: url, Events: []string{"thread.created", "idea.created"}, Secret: "s3cret-s3cret-s3cret",
		Format: "json", Description: "CRM", CreatedBy: "admin", CreatedAt: at, UpdatedAt: at}
}

func mustEndpoint(t *testing.T, s webhooks.Store, e *webhooks.Endpoint) *webhooks.Endpoint {
	t.Helper()
	if err := s.CreateWebhook(context.Background(), e); err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return e
}

func getEndpoint(t *testing.T, s webhooks.Store, id string) *webhooks.Endpoint {
	t.Helper()
	e, err := s.Webhook(context.Background(), id)
	if err != nil {
		t.Fatalf("endpoint %s: %v", id, err)
	}
	return e
}

func attempt(e *webhooks.Endpoint, job string, n int, ok, final bool, at time.Time) *webhooks.Attempt {
	a := &webhooks.Attempt{ID: townhall.NewID(), EndpointID: e.ID, JobID: job, EventID: "ev-" + job, Event: "thread.created", Attempt: n,
		OK: ok, Final: final, Duration: 120 * time.Millisecond, At: at, StatusCode: 500, Error: "HTTP 500 Internal Server Error"}
	if ok {
		a.StatusCode, a.Error = 200, ""
	}
	return a
}

// webhooksStoreUpdateDelete: an endpoint reads back as written, lists
// oldest first, updates its settings and is deleted with its attempts.
func webhooksStoreUpdateDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[webhooks.Store](t, open(t))
	a := mustEndpoint(t, s, newEndpoint("https://a.example.com/hook", Now()))
	b := mustEndpoint(t, s, newEndpoint("https://b.example.com/hook", Now().Add(time.Second)))
	got := getEndpoint(t, s, a.ID)
	if got.URL != a.URL || fmt.Sprint(got.Events) != "[thread.created idea.created]" || got.Secret != a.Secret || got.Format != "json" ||
		got.Description != "CRM" || got.CreatedBy != "admin" || !got.CreatedAt.Equal(Now()) || got.Disabled() || got.Failures != 0 ||
		!got.FailingSince.IsZero() || !got.LastAttemptAt.IsZero() {
		t.Fatalf("endpoint = %+v", got)
	}
	all, err := s.Webhooks(ctx)
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("list = %v, %v", all, err)
	}
	a.URL, a.Events, a.Secret, a.Format, a.Description, a.UpdatedAt = "https://a.example.com/v2", []string{"user.joined"}, "another-secret-1234", "slack", "", Now().Add(time.Hour)
	if err := s.UpdateWebhook(ctx, a); err != nil {
		t.Fatal(err)
	}
	got = getEndpoint(t, s, a.ID)
	if got.URL != a.URL || fmt.Sprint(got.Events) != "[user.joined]" || got.Secret != a.Secret || got.Format != "slack" || got.Description != "" ||
		!got.UpdatedAt.Equal(a.UpdatedAt) || !got.CreatedAt.Equal(Now()) {
		t.Fatalf("updated = %+v", got)
	}
	if _, err := s.RecordWebhookAttempt(ctx, attempt(a, "j1", 1, true, false, Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Webhook(ctx, a.ID)
	WantErr(t, err, webhooks.ErrNotFound)
	if left, _ := s.WebhookAttempts(ctx, a.ID, []string{"j1"}); len(left) != 0 {
		t.Fatalf("attempts survive their endpoint: %v", left)
	}
	WantErr(t, s.DeleteWebhook(ctx, a.ID), webhooks.ErrNotFound)
	ghost := newEndpoint("https://x.example.com", Now())
	WantErr(t, s.UpdateWebhook(ctx, ghost), webhooks.ErrNotFound)
	_, err = s.RecordWebhookAttempt(ctx, attempt(ghost, "j", 1, false, false, Now()))
	WantErr(t, err, webhooks.ErrNotFound)
}

// webhooksAttemptsMoveHealth: failures count up and start FailingSince,
// final failures count as failed deliveries, a success clears them; the
// log lists a delivery's attempts newest first.
func webhooksAttemptsMoveHealth(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[webhooks.Store](t, open(t))
	e := mustEndpoint(t, s, newEndpoint("https://a.example.com/hook", Now()))
	t0 := Now().Add(time.Minute)
	steps := []struct {
		a                         *webhooks.Attempt
		failures, failed, status  int
		failingSince, lastSuccess time.Time
		lastError                 string
	}{
		{attempt(e, "j1", 1, false, false, t0), 1, 0, 500, t0, time.Time{}, "HTTP 500 Internal Server Error"},
		{attempt(e, "j1", 2, false, true, t0.Add(time.Minute)), 2, 1, 500, t0, time.Time{}, "HTTP 500 Internal Server Error"},
		{attempt(e, "j2", 1, true, false, t0.Add(2*time.Minute)), 0, 0, 200, time.Time{}, t0.Add(2 * time.Minute), ""},
		{attempt(e, "j3", 1, false, false, t0.Add(3*time.Minute)), 1, 0, 500, t0.Add(3 * time.Minute), t0.Add(2 * time.Minute), "HTTP 500 Internal Server Error"},
	}
	for i, st := range steps {
		got, err := s.RecordWebhookAttempt(ctx, st.a)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got.Failures != st.failures || got.FailedDeliveries != st.failed || got.LastStatus != st.status || !got.FailingSince.Equal(st.failingSince) ||
			!got.LastSuccessAt.Equal(st.lastSuccess) || got.LastError != st.lastError || !got.LastAttemptAt.Equal(st.a.At) {
			t.Fatalf("step %d: endpoint = %+v", i, got)
		}
		if again := getEndpoint(t, s, e.ID); again.Failures != got.Failures || !again.FailingSince.Equal(got.FailingSince) {
			t.Fatalf("step %d: stored %+v, returned %+v", i, again, got)
		}
	}
	log, err := s.WebhookAttempts(ctx, e.ID, []string{"j1", "j2"})
	if err != nil || len(log) != 3 || log[0].JobID != "j2" || log[1].Attempt != 2 || log[2].Attempt != 1 {
		t.Fatalf("attempts = %+v, %v", log, err)
	}
	first := log[2]
	if first.EventID != "ev-j1" || first.Event != "thread.created" || first.StatusCode != 500 || first.OK || first.Final ||
		first.Duration != 120*time.Millisecond || !first.At.Equal(t0) || first.Error == "" || !log[1].Final || !log[0].OK {
		t.Fatalf("attempt = %+v", first)
	}
	if none, err := s.WebhookAttempts(ctx, e.ID, nil); err != nil || len(none) != 0 {
		t.Fatalf("no jobs: %v, %v", none, err)
	}
}

// webhooksConcurrentFailures: attempts recorded at once all count.
func webhooksConcurrentFailures(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[webhooks.Store](t, open(t))
	e := mustEndpoint(t, s, newEndpoint("https://a.example.com/hook", Now()))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := s.RecordWebhookAttempt(ctx, attempt(e, fmt.Sprint("j", i), 1, false, i%2 == 0, Now().Add(time.Duration(i)*time.Second))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := getEndpoint(t, s, e.ID)
	if got.Failures != 20 || got.FailedDeliveries != 10 || !got.FailingSince.Equal(Now()) {
		t.Fatalf("after 20 concurrent failures: failures %d, failed deliveries %d, failing since %v", got.Failures, got.FailedDeliveries, got.FailingSince)
	}
}

// webhooksDisableOnce: of concurrent disables one changes the endpoint;
// enabling clears the disabled state and the failure record.
func webhooksDisableOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[webhooks.Store](t, open(t))
	e := mustEndpoint(t, s, newEndpoint("https://a.example.com/hook", Now()))
	s.RecordWebhookAttempt(ctx, attempt(e, "j", 1, false, true, Now()))
	won := wins(t, 6, func(int) (bool, error) {
		return s.DisableWebhook(ctx, e.ID, "10 deliveries in a row failed", Now().Add(time.Hour))
	})
	got := getEndpoint(t, s, e.ID)
	if won != 1 || !got.Disabled() || !got.DisabledAt.Equal(Now().Add(time.Hour)) || got.DisabledReason != "10 deliveries in a row failed" {
		t.Fatalf("%d disables won; endpoint %+v", won, got)
	}
	if err := s.EnableWebhook(ctx, e.ID, Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got = getEndpoint(t, s, e.ID)
	if got.Disabled() || got.DisabledReason != "" || got.Failures != 0 || got.FailedDeliveries != 0 || !got.FailingSince.IsZero() {
		t.Fatalf("enabled endpoint = %+v", got)
	}
	_, err := s.DisableWebhook(ctx, townhall.NewID(), "x", Now())
	WantErr(t, err, webhooks.ErrNotFound)
	WantErr(t, s.EnableWebhook(ctx, townhall.NewID(), Now()), webhooks.ErrNotFound)
}

// webhooksAdminsAndPrune: the admins are listed; old attempts are pruned.
func webhooksAdminsAndPrune(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[webhooks.Store](t, b)
	first := MustSignIn(t, b, "ada", "") // the first user is admin
	MustSignIn(t, b, "ann", "")
	second := MustSignIn(t, b, "root", townhall.RoleAdmin)
	admins, err := s.AdminIDs(ctx)
	if err != nil || fmt.Sprint(admins) != fmt.Sprint([]string{first.ID, second.ID}) {
		t.Fatalf("admins = %v, %v", admins, err)
	}
	e := mustEndpoint(t, s, newEndpoint("https://a.example.com/hook", Now()))
	for i := range 3 {
		s.RecordWebhookAttempt(ctx, attempt(e, fmt.Sprint("j", i), 1, true, false, Now().Add(time.Duration(i)*24*time.Hour)))
	}
	n, err := s.PruneWebhookAttempts(ctx, Now().Add(36*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	if left, _ := s.WebhookAttempts(ctx, e.ID, []string{"j0", "j1", "j2"}); len(left) != 1 || left[0].JobID != "j2" {
		t.Fatalf("left = %+v", left)
	}
}
