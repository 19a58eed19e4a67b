package mongo

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/townhall/townhall/store/transfer"
)

// integrationModels turns a batch of an integrations record type into
// upserts of its collection; ok is false for other types.
func (db *DB) integrationModels(b transfer.Batch, add func(mongo.WriteModel)) (coll *mongo.Collection, ok bool) {
	switch b.Type.Name {
	case "api_tokens":
		for _, r := range b.Records {
			t := r.(*transfer.APIToken)
			add(replace(t.ID, tokenDoc{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: strings.Split(t.Scopes, ","), Hash: t.Hash,
				Prefix: t.Prefix, Site: t.Site, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
				LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}))
		}
		return db.apiTokens(), true
	case "webhook_endpoints":
		for _, r := range b.Records {
			e := r.(*transfer.WebhookEndpoint)
			add(replace(e.ID, webhookDoc{ID: e.ID, URL: e.URL, Events: strings.Split(e.Events, ","), Secret: e.Secret, Format: e.Format,
				Description: e.Description, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Failures: e.Failures,
				FailedDeliveries: e.FailedDeliveries, FailingSince: e.FailingSince, LastAttemptAt: e.LastAttemptAt, LastSuccessAt: e.LastSuccessAt,
				LastStatus: e.LastStatus, LastError: e.LastError, DisabledAt: e.DisabledAt, DisabledReason: e.DisabledReason}))
		}
		return db.webhookEndpoints(), true
	case "webhook_attempts":
		for _, r := range b.Records {
			a := r.(*transfer.WebhookAttempt)
			add(replace(a.ID, attemptDoc{ID: a.ID, EndpointID: a.EndpointID, JobID: a.JobID, EventID: a.EventID, Event: a.Event,
				Attempt: a.Attempt, StatusCode: a.StatusCode, Error: a.Error, OK: a.OK, Final: a.Final, DurationMS: a.DurationMS, At: a.At}))
		}
		return db.webhookAttempts(), true
	case "idea_release_notes":
		for _, r := range b.Records {
			n := r.(*transfer.ReleaseNote)
			add(replace(n.IdeaID, releaseNoteDoc{n.IdeaID, n.Body, n.BodyHTML, n.AuthorID, n.UpdatedAt}))
		}
		return db.ideaReleaseNotes(), true
	case "idea_proxy_votes":
		for _, r := range b.Records {
			v := r.(*transfer.ProxyVote)
			id := v.IdeaID + ":" + v.UserID
			add(replace(id, proxyVoteDoc{id, v.IdeaID, v.UserID, v.RecordedBy, v.Note, v.CreatedAt}))
		}
		return db.ideaProxyVotes(), true
	}
	return nil, false
}
