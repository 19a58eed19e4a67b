package transfer

// The records of integrations: API tokens, webhook endpoints and their
// delivery attempts, release notes of shipped ideas and votes recorded on
// a customer's behalf.

// APIToken is an API token: the hash of its secret, never the secret.
type APIToken struct {
	ID         string `col:"id"`
	UserID     string `col:"user_id"`
	Name       string `col:"name"`
	Scopes     string `col:"scopes"` // comma-separated
	Hash       string `col:"hash"`
	Prefix     string `col:"prefix"`
	Site       bool   `col:"site"`
	CreatedBy  string `col:"created_by"`
	CreatedAt  int64  `col:"created_at"`
	ExpiresAt  int64  `col:"expires_at,null"`
	LastUsedAt int64  `col:"last_used_at,null"`
	RevokedAt  int64  `col:"revoked_at,null"`
}

// WebhookEndpoint is a registered webhook receiver with its health.
type WebhookEndpoint struct {
	ID               string `col:"id"`
	URL              string `col:"url"`
	Events           string `col:"events"` // comma-separated
	Secret           string `col:"secret"`
	Format           string `col:"format"`
	Description      string `col:"description"`
	CreatedBy        string `col:"created_by"`
	CreatedAt        int64  `col:"created_at"`
	UpdatedAt        int64  `col:"updated_at"`
	Failures         int    `col:"failures"`
	FailedDeliveries int    `col:"failed_deliveries"`
	FailingSince     int64  `col:"failing_since,null"`
	LastAttemptAt    int64  `col:"last_attempt_at,null"`
	LastSuccessAt    int64  `col:"last_success_at,null"`
	LastStatus       int    `col:"last_status"`
	LastError        string `col:"last_error"`
	DisabledAt       int64  `col:"disabled_at,null"`
	DisabledReason   string `col:"disabled_reason"`
}

// WebhookAttempt is one logged delivery attempt.
type WebhookAttempt struct {
	ID         string `col:"id"`
	EndpointID string `col:"endpoint_id"`
	JobID      string `col:"job_id"`
	EventID    string `col:"event_id"`
	Event      string `col:"event"`
	Attempt    int    `col:"attempt"`
	StatusCode int    `col:"status_code"`
	Error      string `col:"error"`
	OK         bool   `col:"ok"`
	Final      bool   `col:"final"`
	DurationMS int64  `col:"duration_ms"`
	At         int64  `col:"at"`
}

// ReleaseNote is the product team's note on a shipped idea.
type ReleaseNote struct {
	IdeaID    string `col:"idea_id"`
	Body      string `col:"body"`
	BodyHTML  string `col:"body_html"`
	AuthorID  string `col:"author_id"`
	UpdatedAt int64  `col:"updated_at"`
}

// ProxyVote records who voted on a customer's behalf, and why; the vote
// itself is a Vote like any other.
type ProxyVote struct {
	IdeaID     string `col:"idea_id"`
	UserID     string `col:"user_id"`
	RecordedBy string `col:"recorded_by"`
	Note       string `col:"note"`
	CreatedAt  int64  `col:"created_at"`
}
