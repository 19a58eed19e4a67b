package web

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics lives in its own registry so several servers (tests) can coexist.
type metrics struct {
	reg               *prometheus.Registry
	requests          *prometheus.CounterVec
	duration          *prometheus.HistogramVec
	rateLimited       prometheus.Counter
	rateLimiterFailed prometheus.Counter
	crossOriginDenied prometheus.Counter
	pageCache         *prometheus.CounterVec
	renderQueue       prometheus.Gauge
	renderWait        prometheus.Histogram
}

// latencyBuckets spans a cache hit (1 ms) to a request in trouble (2.5 s).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "townhall_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "townhall_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: latencyBuckets,
		}, []string{"method", "route"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "townhall_rate_limited_total", Help: "Writes refused by rate limits.",
		}),
		rateLimiterFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "townhall_rate_limiter_errors_total", Help: "Writes counted on this node because the shared rate limiter failed.",
		}),
		crossOriginDenied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "townhall_cross_origin_denied_total", Help: "Requests refused by cross-origin protection.",
		}),
		pageCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "townhall_page_cache_total", Help: "Page views served from the page cache (hit) or rendered (miss): anonymous pages and public API reads, and members' pages filled from a shared render (member_hit, member_miss).",
		}, []string{"result"}),
		renderQueue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "townhall_render_queue", Help: "Reads waiting for a render slot (see --max-renders).",
		}),
		renderWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "townhall_render_wait_seconds", Help: "How long reads waited for a render slot (0 when one was free).",
			Buckets: latencyBuckets,
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.rateLimited, m.rateLimiterFailed, m.crossOriginDenied, m.pageCache, m.renderQueue, m.renderWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Registry lets other packages (search, store) register their own metrics.
func (s *Server) Registry() prometheus.Registerer { return s.metrics.reg }

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
