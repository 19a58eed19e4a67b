package web

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// renderGate bounds how many reads compute at once and queues the rest in
// arrival order (a Go channel hands a freed slot to its longest waiter).
//
// Without it, every request in flight shares the CPU: under 64 clients on
// two cores an expensive page (a signed-in thread, a search) took its own
// cost times the number of requests running beside it, and those were the
// pages at the p99. In a queue every read waits about the same and then
// runs at nearly full speed, so a page's latency is the queue's wait plus
// its own cost, whatever runs beside it.
//
// Page cache hits do not queue (they copy a stored page), nor do writes:
// a write spends most of its time waiting for its commit, not computing,
// and holding a slot through that would idle the CPU.
type renderGate struct {
	slots chan struct{}
}

func newRenderGate(n int) *renderGate {
	if n <= 0 {
		return nil
	}
	return &renderGate{slots: make(chan struct{}, n)}
}

// gated says whether a request computes behind the gate: reads, except
// static files, operational endpoints (a health check must answer while
// pages queue) and sign-in, which waits on the OAuth provider.
func gated(method, path string) bool {
	if isWrite(method) {
		return false
	}
	for _, p := range []string{"/static/", "/healthz", "/metrics", "/favicon.ico", "/auth/"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// admit waits for a render slot for c. It returns false, having answered
// c, when the request ends first. The slot frees at the response's first
// write, so a client that reads slowly does not hold it, or at release,
// whichever comes first. Requests the gate does not cover pass at once.
func (s *Server) admit(c *gin.Context) (release func(), ok bool) {
	g := s.gate
	if g == nil || !gated(c.Request.Method, c.Request.URL.Path) {
		return func() {}, true
	}
	select {
	case g.slots <- struct{}{}:
		s.metrics.renderWait.Observe(0)
	default:
		s.metrics.renderQueue.Inc()
		began := time.Now()
		select {
		case g.slots <- struct{}{}:
			s.metrics.renderQueue.Dec()
			s.metrics.renderWait.Observe(time.Since(began).Seconds())
		case <-c.Request.Context().Done():
			s.metrics.renderQueue.Dec()
			s.fail(c, c.Request.Context().Err())
			return nil, false
		}
	}
	w := &gatedWriter{ResponseWriter: c.Writer, gate: g}
	c.Writer = w
	return func() {
		w.free()
		if c.Writer == gin.ResponseWriter(w) {
			c.Writer = w.ResponseWriter
		}
	}, true
}

// admitted runs the rest of c's chain once admitted.
func (s *Server) admitted(c *gin.Context) {
	release, ok := s.admit(c)
	if !ok {
		return
	}
	defer release()
	c.Next()
}

// gatedWriter frees its request's slot when the response starts going out.
type gatedWriter struct {
	gin.ResponseWriter
	gate  *renderGate
	freed bool
}

func (w *gatedWriter) free() {
	if !w.freed {
		w.freed = true
		<-w.gate.slots
	}
}

func (w *gatedWriter) Write(b []byte) (int, error) {
	w.free()
	return w.ResponseWriter.Write(b)
}

func (w *gatedWriter) WriteString(s string) (int, error) {
	w.free()
	return w.ResponseWriter.WriteString(s)
}

func (w *gatedWriter) Flush() {
	w.free()
	w.ResponseWriter.Flush()
}
