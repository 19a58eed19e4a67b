package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/townhall/townhall/jobs"
)

// jobMetrics exports the background queue: runs by outcome as counters, and
// the queue depth by state, read from the store at scrape time so every
// node reports the shared queue as it is.
type jobMetrics struct {
	runner *jobs.Runner
	store  jobs.Store
	runs   *prometheus.CounterVec
	depth  *prometheus.Desc
}

func newJobMetrics(r *jobs.Runner, s jobs.Store) *jobMetrics {
	m := &jobMetrics{
		runner: r, store: s,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "townhall_jobs_total", Help: "Background job runs on this node by queue and outcome (done, failed, retried).",
		}, []string{"queue", "outcome"}),
		depth: prometheus.NewDesc("townhall_jobs", "Background jobs in the store by queue and state.", []string{"queue", "state"}, nil),
	}
	r.OnOutcome = func(queue string, o jobs.Outcome) {
		outcome := string(o.State)
		if o.State == jobs.StatePending {
			outcome = "retried"
		}
		m.runs.WithLabelValues(queue, outcome).Inc()
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *jobMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.runs.Describe(ch)
	ch <- m.depth
}

// Collect implements prometheus.Collector.
func (m *jobMetrics) Collect(ch chan<- prometheus.Metric) {
	m.runs.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, q := range m.runner.Queues() {
		counts, err := m.store.CountJobs(ctx, q)
		if err != nil {
			continue // a slow store must not break the scrape; the gauge is absent
		}
		for _, st := range jobs.States {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(counts[st]), q, string(st))
		}
	}
}
