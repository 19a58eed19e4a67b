package email_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
	"github.com/townhall/townhall/forum"
)

// crashBatch is how many emails the killed process has to send.
const crashBatch = 40

func crashConfig(dir, smtpURL string) app.Config {
	cfg := app.Defaults()
	cfg.DataDir = dir
	cfg.BaseURL = "http://127.0.0.1:8080"
	cfg.SMTPURL = smtpURL
	cfg.MailDelay = 0
	cfg.SiteName = "Acme Community"
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

// TestCrashChild is the Townhall process TestKilledMidBatchLosesNothing
// kills; it does nothing unless started by that test. It writes a batch
// of emails (a reply in each of crashBatch people's threads) and sends
// them until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("TOWNHALL_MAIL_CRASH_DIR")
	if dir == "" {
		return
	}
	ctx := context.Background()
	a, err := app.Open(ctx, crashConfig(dir, os.Getenv("TOWNHALL_MAIL_CRASH_SMTP")))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := a.Auth.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "admin", Name: "Admin"})
	if err != nil {
		t.Fatal(err)
	}
	cat := &forum.Category{Name: "General"}
	if err := a.Forum.SaveCategory(ctx, admin, cat); err != nil {
		t.Fatal(err)
	}
	var threads []string
	for i := range crashBatch {
		u, err := a.Auth.SignIn(ctx, auth.Identity{Provider: "dev", Subject: fmt.Sprint(i), Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		th, err := a.Forum.CreateThread(ctx, u, forum.ThreadInput{Category: cat.Slug, Title: fmt.Sprintf("Question %d", i), Body: "Help?"})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, th.ID)
	}
	for _, id := range threads {
		if _, err := a.Forum.Reply(ctx, admin, id, "Here is the answer."); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("enqueued %d\n", len(threads))
	time.Sleep(time.Minute)
	t.Fatal("the parent should have killed this process")
}

func TestKilledMidBatchLosesNothing(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Reply(func(int) error { time.Sleep(40 * time.Millisecond); return nil }) // a slow server, so the kill lands mid-batch
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "TOWNHALL_MAIL_CRASH_DIR="+dir, "TOWNHALL_MAIL_CRASH_SMTP="+srv.URL(),
		"TOWNHALL_TEST_MONGODB_URI=") // the child's site is the embedded store in dir, which the restart reopens
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	enqueued := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "enqueued ") {
			enqueued = true
			break
		}
	}
	if !enqueued {
		cmd.Wait()
		t.Fatal("the child did not enqueue its batch")
	}
	srv.Wait(t, crashBatch/5, 30*time.Second)
	// SIGKILL mid-batch: no chance to finish anything.
	cmd.Process.Kill()
	cmd.Wait()
	sentBefore := len(srv.Messages())
	if sentBefore >= crashBatch {
		t.Fatalf("the child sent all %d before it was killed; the test proves nothing", sentBefore)
	}

	// The restart (a minute past the dead node's leases) sends the rest.
	a, err := app.Open(context.Background(), crashConfig(dir, srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Jobs.SetClock(func() time.Time { return time.Now().Add(3 * time.Minute) })
	deadline := time.Now().Add(60 * time.Second)
	var ids map[string]int
	for {
		ids = map[string]int{}
		for _, m := range srv.Messages() {
			ids[m.Header.Get("Message-ID")]++
		}
		if len(ids) >= crashBatch || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(ids) != crashBatch {
		t.Fatalf("%d distinct emails arrived, want %d (killed after %d)", len(ids), crashBatch, sentBefore)
	}
	dups := 0
	for id, n := range ids {
		if n > 1 {
			dups += n - 1
			t.Logf("%s arrived %d times: it was in flight when the process died, and kept its Message-ID", id, n)
		}
	}
	if dups > 4 { // at most one in flight per mail worker
		t.Fatalf("%d duplicates; only the emails in flight at the kill may arrive twice", dups)
	}
	ms, err := a.DB.Messages(context.Background(), email.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, m := range ms {
		if m.State == email.StateSent {
			sent++
		}
	}
	deadline = time.Now().Add(20 * time.Second)
	for sent != crashBatch && time.Now().Before(deadline) { // the last outcomes are being recorded
		time.Sleep(20 * time.Millisecond)
		ms, _ = a.DB.Messages(context.Background(), email.Query{Limit: 100})
		sent = 0
		for _, m := range ms {
			if m.State == email.StateSent {
				sent++
			}
		}
	}
	if len(ms) != crashBatch || sent != crashBatch {
		t.Fatalf("%d messages stored, %d sent; want %d of each", len(ms), sent, crashBatch)
	}
	t.Logf("killed after %d of %d emails; after the restart all %d arrived (%d twice)", sentBefore, crashBatch, crashBatch, dups)
}
