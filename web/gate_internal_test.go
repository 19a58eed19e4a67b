package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	dto "github.com/prometheus/client_model/go"
)

// gateTest is a server with the page cache and a render gate of one slot
// in front of handlers the test holds: /hold/:name blocks until released
// before writing, /stream/:name writes at once and then blocks.
type gateTest struct {
	s       *Server
	srv     *httptest.Server
	mu      sync.Mutex
	started []string                 // handlers in the order they began
	hold    map[string]chan struct{} // closed to let a handler go on
}

func newGateTest(t *testing.T) *gateTest {
	g := &gateTest{hold: map[string]chan struct{}{}}
	s := &Server{engine: gin.New(), pageCache: newPageCache(time.Minute, 1<<20), gate: newRenderGate(1),
		metrics: newMetrics(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.engine.Use(s.anonPageCache)
	s.engine.GET("/hold/:name", func(c *gin.Context) {
		<-g.begin(c.Param("name"))
		c.String(http.StatusOK, "held "+c.Param("name"))
	})
	s.engine.GET("/stream/:name", func(c *gin.Context) {
		ch := g.begin(c.Param("name"))
		c.Writer.WriteString("first part\n")
		c.Writer.Flush()
		<-ch
		c.Writer.WriteString("rest\n")
	})
	s.engine.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	g.s, g.srv = s, httptest.NewServer(s.engine)
	t.Cleanup(func() {
		g.mu.Lock()
		for _, ch := range g.hold {
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
		g.mu.Unlock()
		g.srv.Close()
	})
	return g
}

func (g *gateTest) channel(name string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	ch, ok := g.hold[name]
	if !ok {
		ch = make(chan struct{})
		g.hold[name] = ch
	}
	return ch
}

func (g *gateTest) begin(name string) chan struct{} {
	g.mu.Lock()
	g.started = append(g.started, name)
	g.mu.Unlock()
	return g.channel(name)
}

func (g *gateTest) release(name string) { close(g.channel(name)) }

func (g *gateTest) began() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.started...)
}

// get fetches path in the background; the answer arrives on the channel.
func (g *gateTest) get(ctx context.Context, path string) <-chan string {
	out := make(chan string, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, g.srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out <- resp.Status + " " + string(b)
	}()
	return out
}

// waitFor polls cond; the deadline only stops a broken test from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (g *gateTest) queued() int {
	var m dto.Metric
	g.s.metrics.renderQueue.Write(&m)
	return int(m.GetGauge().GetValue())
}

func (g *gateTest) busy() int { return len(g.s.gate.slots) }

func TestRenderGate(t *testing.T) {
	g := newGateTest(t)
	ctx := context.Background()

	// A page rendered once is in the cache.
	g.release("cached")
	if got := <-g.get(ctx, "/hold/cached"); got != "200 OK held cached" {
		t.Fatalf("first render: %q", got)
	}
	if n := g.busy(); n != 0 {
		t.Fatalf("%d slots still held after a render", n)
	}

	// A render holds the one slot.
	a := g.get(ctx, "/hold/a")
	waitFor(t, "a to start", func() bool { return len(g.began()) == 2 })
	if n := g.busy(); n != 1 {
		t.Fatalf("a render holds %d slots, want 1", n)
	}

	// Behind it: cache hits and health checks do not queue.
	if got := <-g.get(ctx, "/hold/cached"); got != "200 OK held cached" {
		t.Fatalf("a cached page while the slot is held: %q", got)
	}
	if got := <-g.get(ctx, "/healthz"); got != "200 OK ok" {
		t.Fatalf("a health check while the slot is held: %q", got)
	}

	// Renders queue, and run in the order they came.
	b := g.get(ctx, "/hold/b")
	waitFor(t, "b to queue", func() bool { return g.queued() == 1 })
	cctx, cancel := context.WithCancel(ctx)
	gone := g.get(cctx, "/hold/gone")
	waitFor(t, "gone to queue", func() bool { return g.queued() == 2 })
	c := g.get(ctx, "/hold/c")
	waitFor(t, "c to queue", func() bool { return g.queued() == 3 })
	if s := g.began(); len(s) != 2 {
		t.Fatalf("handlers began while the slot was held: %v", s)
	}

	// A client that hangs up while queued leaves the queue and never runs.
	cancel()
	<-gone
	waitFor(t, "gone to leave the queue", func() bool { return g.queued() == 2 })

	g.release("a")
	if got := <-a; got != "200 OK held a" {
		t.Fatalf("a: %q", got)
	}
	waitFor(t, "b to start", func() bool { return len(g.began()) == 3 })
	g.release("c")
	g.release("b")
	if got := <-b; got != "200 OK held b" {
		t.Fatalf("b: %q", got)
	}
	if got := <-c; got != "200 OK held c" {
		t.Fatalf("c: %q", got)
	}
	if s, want := g.began(), []string{"cached", "a", "b", "c"}; len(s) != len(want) || s[1] != "a" || s[2] != "b" || s[3] != "c" {
		t.Fatalf("handlers began in the order %v, want %v", s, want)
	}
	if n, q := g.busy(), g.queued(); n != 0 || q != 0 {
		t.Fatalf("after every request: %d slots held, %d queued", n, q)
	}
	// Every admitted render was timed: cached, a, b, c (the hits and the
	// health check were not admitted, the one that left was not timed).
	var m dto.Metric
	g.s.metrics.renderWait.Write(&m)
	if n := m.GetHistogram().GetSampleCount(); n != 4 {
		t.Fatalf("render waits observed: %d, want 4", n)
	}
}

// TestRenderGateFreesAtFirstWrite: a response on its way out does not hold
// a slot, so a client that reads slowly cannot stall other readers.
func TestRenderGateFreesAtFirstWrite(t *testing.T) {
	g := newGateTest(t)
	ctx := context.Background()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, g.srv.URL+"/stream/slow", nil)
	resp, err := http.DefaultClient.Do(req) // returns at the first part; the handler then blocks
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitFor(t, "the slot to free", func() bool { return g.busy() == 0 })
	g.release("next")
	if got := <-g.get(ctx, "/hold/next"); got != "200 OK held next" {
		t.Fatalf("a render while another response streams: %q", got)
	}
	g.release("slow")
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "first part\nrest\n" {
		t.Fatalf("the streamed response: %q, %v", b, err)
	}
}

func TestRenderGateOff(t *testing.T) {
	if newRenderGate(0) != nil {
		t.Fatal("0 slots must mean no gate")
	}
	s := &Server{metrics: newMetrics()}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
	release, ok := s.admit(c)
	if !ok {
		t.Fatal("no gate refused a request")
	}
	release()
}
