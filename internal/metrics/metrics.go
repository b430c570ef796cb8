// Package metrics defines the Prometheus metrics civicdesk exports on
// /metrics. One Metrics value per process, registered on its own registry
// so tests can start several apps side by side.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the process's collectors.
type Metrics struct {
	Registry            *prometheus.Registry
	SubmissionsAccepted *prometheus.CounterVec
	SubmissionsRejected *prometheus.CounterVec
	TasksProcessed      *prometheus.CounterVec
	TaskDuration        *prometheus.HistogramVec
}

// New creates and registers the collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		SubmissionsAccepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civicdesk_submissions_accepted_total",
			Help: "Submissions stored durably and answered with a tracking code, by channel.",
		}, []string{"channel"}),
		SubmissionsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civicdesk_submissions_rejected_total",
			Help: "Submissions refused at intake, by channel and reason.",
		}, []string{"channel", "reason"}),
		TasksProcessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civicdesk_tasks_processed_total",
			Help: "Queue tasks handled, by type and outcome (ok, error, skip).",
		}, []string{"type", "outcome"}),
		TaskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "civicdesk_task_duration_seconds",
			Help:    "Time spent in task handlers, by type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"type"}),
	}
	m.Registry.MustRegister(m.SubmissionsAccepted, m.SubmissionsRejected, m.TasksProcessed, m.TaskDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// QueueDepth registers a gauge per queue and state read at scrape time.
// depth returns, for each queue, the number of tasks pending, scheduled,
// retrying and archived.
func (m *Metrics) QueueDepth(depth func() map[string]map[string]int) {
	m.Registry.MustRegister(&queueCollector{depth: depth, desc: prometheus.NewDesc(
		"civicdesk_queue_depth", "Tasks waiting in each queue, by state.", []string{"queue", "state"}, nil)})
}

type queueCollector struct {
	depth func() map[string]map[string]int
	desc  *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	for q, states := range c.depth() {
		for state, n := range states {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}
