package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// startMetrics serves /metrics on its own listener (CIVICDESK_METRICS_ADDR,
// loopback by default), once per process whatever roles it runs. The
// public port does not carry it: queue depths, task counts and error rates
// are for the operators' scraper, not for the internet. Each process
// serves its own figures, so a separate worker's task metrics are scraped
// from the worker. A port already taken is logged and skipped: metrics
// never stop the service.
func (a *App) startMetrics(ctx context.Context) {
	a.metricsOnce.Do(func() {
		if a.Cfg.MetricsAddr == "" {
			return
		}
		ln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
		if err != nil {
			a.Log.Warn("metrics: not served; set CIVICDESK_METRICS_ADDR to a free address", "addr", a.Cfg.MetricsAddr, "err", err)
			return
		}
		a.metricsAddr.Store(ln.Addr().String())
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics.Registry, promhttp.HandlerOpts{}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
		a.Log.Info("metrics: listening", "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.Log.Warn("metrics: listener stopped", "err", err)
			}
		}()
		go func() {
			<-ctx.Done()
			_ = srv.Close()
		}()
	})
}

// MetricsAddr is the address /metrics listens on ("" when it does not).
func (a *App) MetricsAddr() string {
	s, _ := a.metricsAddr.Load().(string)
	return s
}
