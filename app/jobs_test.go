package app

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/store/sqlite"
)

func TestJobMetricsCountRunsAndDepth(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := jobs.NewRunner(db, nil)
	r.Register(jobs.Queue{Name: "mail", Handle: func(ctx context.Context, j *jobs.Job) error {
		if j.Key == "bad" {
			return jobs.Permanent(errors.New("550"))
		}
		return nil
	}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(newJobMetrics(r, db))
	r.Enqueue(ctx, &jobs.Job{Key: "ok", Queue: "mail"}, &jobs.Job{Key: "bad", Queue: "mail"}, &jobs.Job{Key: "waits", Queue: "mail"})
	r.RunOne(ctx, "mail")
	r.RunOne(ctx, "mail")
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.Counter != nil {
				got[key] = m.Counter.GetValue()
			} else if m.Gauge != nil {
				got[key] = m.Gauge.GetValue()
			}
		}
	}
	for key, want := range map[string]float64{
		"townhall_jobs_total,outcome=done,queue=mail":   1,
		"townhall_jobs_total,outcome=failed,queue=mail": 1,
		"townhall_jobs,queue=mail,state=pending":        1,
		"townhall_jobs,queue=mail,state=done":           1,
		"townhall_jobs,queue=mail,state=failed":         1,
		"townhall_jobs,queue=mail,state=running":        0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}
