// Package metrics counts what a simulator serves and does, and serves the
// counts in the Prometheus text format. The layers that see an event (the
// request journal, the webhook engine, fault injection, request lint) call
// a method of Metrics; only this package speaks Prometheus.
//
// Each simulator has its own Metrics with its own registry, so simulators
// running side by side in one process, as tests run them, never share a
// count. A nil *Metrics counts nothing, so a layer used on its own needs
// none.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds a simulator's counters and the sources of its gauges.
type Metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	requestSeconds  *prometheus.HistogramVec
	webhookAttempts *prometheus.CounterVec
	webhookSeconds  *prometheus.HistogramVec
	faults          *prometheus.CounterVec
	lint            *prometheus.CounterVec
	statuses        *statusCollector
}

// New returns a Metrics with every metric registered at zero, the Go
// runtime's and the process's metrics beside them. Failures to count what
// is stored when scraped are logged to log (nil discards them).
func New(log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabbysim_requests_total",
			Help: "Requests to the providers' APIs, by provider, operation and HTTP status.",
		}, []string{"provider", "operation", "status"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tabbysim_request_duration_seconds",
			Help:    "Time the simulator took to answer a provider API request, by provider and operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"provider", "operation"}),
		webhookAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabbysim_webhook_attempts_total",
			Help: "Webhook delivery attempts, by provider and result: accepted, refused (answered without acknowledging) or no_answer.",
		}, []string{"provider", "result"}),
		webhookSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tabbysim_webhook_attempt_duration_seconds",
			Help:    "Time a webhook receiver took to answer an attempt, or to fail, by provider.",
			Buckets: append(append([]float64(nil), prometheus.DefBuckets...), 30, 60),
		}, []string{"provider"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabbysim_faults_fired_total",
			Help: "Faults injected on purpose, by provider and kind.",
		}, []string{"provider", "kind"}),
		lint: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabbysim_lint_warnings_total",
			Help: "Lint warnings on accepted requests, by provider, operation and rule.",
		}, []string{"provider", "operation", "rule"}),
		statuses: &statusCollector{
			desc: prometheus.NewDesc("tabbysim_payments",
				"Payments (Tabby) and transactions (Onerway) stored, by provider and status, counted when scraped.",
				[]string{"provider", "status"}, nil),
			log: log,
		},
	}
	m.registry.MustRegister(m.requests, m.requestSeconds, m.webhookAttempts, m.webhookSeconds, m.faults, m.lint,
		m.statuses, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Request counts one provider API request answered with status after took.
func (m *Metrics) Request(provider, operation string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(provider, operation, strconv.Itoa(status)).Inc()
	m.requestSeconds.WithLabelValues(provider, operation).Observe(took.Seconds())
}

// WebhookAttempt counts one attempt to deliver a provider's webhook, with
// its result ("accepted", "refused" or "no_answer") and how long it took.
func (m *Metrics) WebhookAttempt(provider, result string, took time.Duration) {
	if m == nil {
		return
	}
	m.webhookAttempts.WithLabelValues(provider, result).Inc()
	m.webhookSeconds.WithLabelValues(provider).Observe(took.Seconds())
}

// FaultFired counts one fault of kind injected into what provider serves
// or sends.
func (m *Metrics) FaultFired(provider, kind string) {
	if m == nil {
		return
	}
	m.faults.WithLabelValues(provider, kind).Inc()
}

// LintWarning counts one lint warning of rule on a request for operation.
func (m *Metrics) LintWarning(provider, operation, rule string) {
	if m == nil {
		return
	}
	m.lint.WithLabelValues(provider, operation, rule).Inc()
}

// StatusCounter counts what a provider stores, across merchants, by
// status.
type StatusCounter func(ctx context.Context) (map[string]int, error)

// CountStatuses has each scrape report provider's payments (or
// transactions) by status as count tells them.
func (m *Metrics) CountStatuses(provider string, count StatusCounter) {
	if m == nil {
		return
	}
	m.statuses.mu.Lock()
	defer m.statuses.mu.Unlock()
	m.statuses.sources = append(m.statuses.sources, statusSource{provider, count})
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

type statusSource struct {
	provider string
	count    StatusCounter
}

// statusCollector reads the counts of its sources at each scrape, so they
// are right after a restart on a kept data file or a reset.
type statusCollector struct {
	desc    *prometheus.Desc
	log     *slog.Logger
	mu      sync.Mutex
	sources []statusSource
}

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 10 * time.Second

func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sources := append([]statusSource(nil), c.sources...)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	for _, s := range sources {
		counts, err := s.count(ctx)
		if err != nil {
			if c.log != nil {
				c.log.Error("counting stored payments for the metrics failed", "provider", s.provider, "err", err)
			}
			ch <- prometheus.NewInvalidMetric(c.desc, err)
			continue
		}
		for st, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), s.provider, st)
		}
	}
}
