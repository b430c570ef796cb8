// Package app wires civicdesk together: it opens the backends (embedded
// or real), builds the services, and runs the web server, the workers and
// the reconciler, alone or all in one process.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/civicdesk/civicdesk/internal/audit"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/embedded"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/metrics"
	"github.com/civicdesk/civicdesk/internal/quarantine"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/reports"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/search/bleve"
	"github.com/civicdesk/civicdesk/internal/search/meili"
	"github.com/civicdesk/civicdesk/internal/seed"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/internal/ticketsearch"
	"github.com/civicdesk/civicdesk/internal/topics"
	"github.com/civicdesk/civicdesk/internal/web"
	"github.com/civicdesk/civicdesk/internal/workspace"
	"github.com/civicdesk/civicdesk/templates"
	"github.com/civicdesk/civicdesk/workers"
)

// App is one civicdesk process's services and backends.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	Clock    desk.Clock
	Store    *store.Store
	Redis    redis.UniversalClient
	Queue    *workers.Queue
	Index    search.Index
	Calendar *calendar.Calendar // as loaded at start; Cal() is the current one
	Metrics  *metrics.Metrics
	Intake   *intake.Service
	Auth     *auth.Service
	Limiter  *ratelimit.Limiter
	Secret   []byte
	// Hotline handles calls, CTI events and the consoles' live feed.
	Hotline *hotline.Service
	// Quarantine reviews what the spam check held back (spam.go).
	Quarantine *quarantine.Service
	Audit      *audit.Recorder
	ferret     *embedded.Mongo // the embedded store, nil on MongoDB

	// EmbeddedRedis is set when Redis runs in-process; tests flush it.
	EmbeddedRedis *embedded.Redis

	// Tickets routes, transfers and keeps SLA clocks (tickets.go).
	Tickets *tickets.Service

	// --- search (issue 7, search.go) ---
	// PublicIndex holds published Q&A only; Search runs staff and public
	// searches; Topics groups similar tickets to answer them once.
	PublicIndex search.Index
	Search      *ticketsearch.Service
	Topics      *topics.Service

	// issue 6: workspace (staff) — claim, assign, reply, notes, canned responses.
	Workspace *workspace.Service

	email emailState // email.go: SMTP in, mail out

	catalog     atomic.Pointer[desk.Catalog]
	cal         atomic.Pointer[calendar.Calendar]
	provinces   []string
	closers     []func() error
	bound       chan string
	boundOnce   sync.Once
	metricsOnce sync.Once    // metrics.go
	metricsAddr atomic.Value // string
	refreshOnce sync.Once
	// issue 9: the reports service, made once (reports.go)
	reports     *reports.Service
	reportsOnce sync.Once
}

// Options adjust Open for tests and tools.
type Options struct {
	Clock desk.Clock
	// NoAdmin skips creating the admin account (seed, reindex, config).
	NoAdmin bool
	// SharedStore says the process is one of several on one store (the
	// web and worker commands): an index of its own on disk would see only
	// its own writes, so on an external store Open refuses to start
	// without Meilisearch unless search is turned off.
	SharedStore bool
	// StoreMonitor, if set, sees every command the store sends (tests
	// record query shapes and count round trips with it); nil in
	// production.
	StoreMonitor *event.CommandMonitor
}

// ErrSearchNeedsMeili is Open's refusal to give a web or worker process
// on an external store a search index of its own.
var ErrSearchNeedsMeili = errors.New("search: web and worker processes on an external store share one search index; " +
	"set CIVICDESK_MEILI_URL to a Meilisearch server, or CIVICDESK_SEARCH=none to run without search (search pages and API calls then answer 503)")

// Open opens every backend named in cfg, starting embedded ones where none
// is configured, and logs one line per backend saying which it chose.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, opt Options) (_ *App, err error) {
	if cfg.MongoURI != "" && opt.SharedStore && cfg.MeiliURL == "" && cfg.Search != config.SearchNone {
		return nil, ErrSearchNeedsMeili // before any backend is touched
	}
	a := &App{Cfg: cfg, Log: log, Clock: opt.Clock, Metrics: metrics.New(), bound: make(chan string, 1)}
	if a.Clock == nil {
		a.Clock = desk.SystemClock{}
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if a.Secret, err = loadSecret(cfg); err != nil {
		return nil, err
	}

	// MongoDB, or FerretDB in-process.
	uri := cfg.MongoURI
	if uri == "" {
		m, err := embedded.StartMongo(filepath.Join(cfg.DataDir, "ferretdb"))
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, m.Close)
		a.ferret = m
		uri = m.URI()
		log.Info("backend: store = embedded FerretDB on SQLite (for trying out and small offices; set CIVICDESK_MONGO_URI for MongoDB)", "dir", filepath.Join(cfg.DataDir, "ferretdb"))
	} else {
		log.Info("backend: store = MongoDB", "uri", maskURI(uri))
	}
	if a.Store, err = store.Open(ctx, uri, cfg.MongoDatabase, store.SlowCommands(log, cfg.SlowQuery), store.WatchCommands(opt.StoreMonitor)); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() error { return a.Store.Close(context.Background()) })
	if cfg.MongoURI == "" {
		a.Store.SerializeWrites() // in-process SQLite: one writer at a time
	}
	// The read side (store/reads.go), chosen once: the single-process
	// embedded store answers listings from in-process views fed by its own
	// writes, loaded by startReadModel (inbox.go) when the web or worker
	// role starts; MongoDB, with several processes, from its indexes.
	if cfg.MongoURI == "" {
		a.Store.UseReads(store.NewMemoryReads(a.Store))
	} else {
		a.Store.UseReads(store.NewIndexReads(a.Store))
	}
	if err := a.retryStartup(ctx, "indexes", a.Store.EnsureIndexes); err != nil {
		return nil, err
	}
	a.indexIDs(ctx)

	// Redis, or miniredis in-process.
	var ropt *redis.Options
	if cfg.RedisAddr == "" {
		r, err := embedded.StartRedis()
		if err != nil {
			return nil, err
		}
		a.EmbeddedRedis = r
		a.closers = append(a.closers, r.Close)
		ropt = &redis.Options{Addr: r.Addr()}
		log.Info("backend: queue = embedded miniredis (in memory; the reconciler rebuilds the queue from the store after a restart; set CIVICDESK_REDIS_ADDR for Redis)")
	} else {
		if ropt, err = redisOptions(cfg.RedisAddr); err != nil {
			return nil, err
		}
		log.Info("backend: queue = Redis", "addr", ropt.Addr, "db", ropt.DB)
	}
	a.Redis = redis.NewClient(ropt)
	a.closers = append(a.closers, a.Redis.Close)
	a.Queue = &workers.Queue{Client: asynq.NewClientFromRedisClient(a.Redis), Inspector: asynq.NewInspectorFromRedisClient(a.Redis)}
	a.Limiter = ratelimit.New(a.Redis, "civicdesk:rl")
	a.Metrics.QueueDepth(a.Queue.Depth)

	// Search: Meilisearch, bleve on disk, or off.
	switch {
	case cfg.Search == config.SearchNone:
		a.Index = search.Disabled{}
		log.Info("backend: search = off (CIVICDESK_SEARCH=none: search pages and API calls answer 503)")
	case cfg.MeiliURL != "":
		mi, err := meili.Open(ctx, meili.Options{URL: cfg.MeiliURL, APIKey: cfg.MeiliKey})
		if err != nil {
			return nil, err
		}
		a.Index = mi
		log.Info("backend: search = Meilisearch", "url", cfg.MeiliURL)
	default:
		dir := filepath.Join(cfg.DataDir, "index")
		bi, err := bleve.Open(dir, bleve.Options{})
		if err != nil {
			return nil, err
		}
		a.Index = bi
		log.Info("backend: search = embedded bleve index (set CIVICDESK_MEILI_URL for Meilisearch)", "dir", dir)
	}
	a.closers = append(a.closers, a.Index.Close)

	if a.Calendar, err = calendar.New(nil); err != nil {
		return nil, err
	}
	a.cal.Store(a.Calendar)
	if err := a.loadCalendar(ctx); err != nil {
		return nil, err
	}
	if err := a.retryStartup(ctx, "catalog", func(ctx context.Context) error { return a.loadCatalog(ctx, true) }); err != nil {
		return nil, err
	}
	a.Audit = &audit.Recorder{Store: a.Store, Clock: a.Clock, Log: log}
	a.Auth = &auth.Service{Store: a.Store, Clock: a.Clock, Log: log, BcryptCost: cfg.BcryptCost, Catalog: a.Catalog, Audit: a.Audit, /* #6 AU */
		LockAfter: cfg.LoginLockAfter, LockWindow: cfg.LoginLockWindow, LockFor: cfg.LoginLockFor}
	a.Intake = &intake.Service{Store: a.Store, Queue: a.Queue, Catalog: catalogSource{a}, Clock: a.Clock, Log: log, StoreTimeout: cfg.AcceptTimeout,
		OnAccepted: func(ch desk.Channel) { a.Metrics.SubmissionsAccepted.WithLabelValues(string(ch)).Inc() }}
	a.Hotline = a.newHotline(ropt.DB)
	a.Tickets = a.newTickets()
	a.Quarantine = a.newQuarantine()
	a.Workspace = a.newWorkspace() // issue 6: workspace (staff)
	// issue 7: public Q&A index, search and topics services (search.go)
	if err := a.openSearch(ctx); err != nil {
		return nil, err
	}
	if err := a.openEmail(); err != nil { // email.go
		return nil, err
	}
	if !opt.NoAdmin {
		if err := a.retryStartup(ctx, "admin", a.ensureAdmin); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Close releases every backend, embedded servers last.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.Log.Warn("close", "err", err)
		}
	}
	a.closers = nil
}

// Catalog returns the current agencies and categories.
func (a *App) Catalog() *desk.Catalog { return a.catalog.Load() }

type catalogSource struct{ a *App }

func (c catalogSource) Catalog() *desk.Catalog { return c.a.Catalog() }
func (c catalogSource) Provinces() []string    { return c.a.provinces }

// loadCatalog reads agencies and categories from the store; at start
// (seedMissing) it first adds every agency and category of the data file
// that the store lacks. Agencies and categories are never deleted, so on
// a running deployment this adds only what a new data file brings. Every
// process starting at once does it (identical upserts, which converge),
// so none of them loads the half-seeded catalog of another.
func (a *App) loadCatalog(ctx context.Context, seedMissing bool) error {
	data, err := seed.Load()
	if err != nil {
		return err
	}
	a.provinces = data.Provinces
	cat, err := a.Store.Catalog(ctx)
	if err != nil {
		return err
	}
	if seedMissing {
		added := 0
		for _, ag := range data.Agencies {
			if cat.Agency(ag.Code) == nil {
				if err := a.Store.UpsertAgency(ctx, ag); err != nil {
					return err
				}
				added++
			}
		}
		for _, c := range data.Categories {
			if cat.Category(c.Code) == nil {
				if err := a.Store.UpsertCategory(ctx, c); err != nil {
					return err
				}
				added++
			}
		}
		if added > 0 {
			a.Log.Info("seeded the catalog", "added", added, "agencies", len(data.Agencies), "categories", len(data.Categories))
			return a.loadCatalog(ctx, false)
		}
	}
	a.catalog.Store(cat)
	return nil
}

// Seed upserts the seed catalog.
func (a *App) Seed(ctx context.Context) error {
	data, err := seed.Load()
	if err != nil {
		return err
	}
	for _, ag := range data.Agencies {
		if err := a.Store.UpsertAgency(ctx, ag); err != nil {
			return err
		}
	}
	for _, c := range data.Categories {
		if err := a.Store.UpsertCategory(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// indexIDs gives every collection of the embedded store an index SQLite
// uses for reads by _id (embedded/idindex.go explains why FerretDB's own
// does not serve them). A failure costs only speed, so it is logged.
func (a *App) indexIDs(ctx context.Context) {
	if a.ferret == nil {
		return
	}
	n, err := a.ferret.IndexIDs(ctx, a.Cfg.MongoDatabase)
	switch {
	case err != nil && ctx.Err() == nil:
		a.Log.Warn("embedded store: _id lookup indexes not created; reads by _id will scan", "err", err)
	case n > 0:
		a.Log.Info("embedded store: _id lookup indexes created", "collections", n)
	}
}

// startRefresh reloads the catalog and the calendar overrides every 30 s
// so that every process sees admin edits made through another. It starts
// one loop per process, however many roles the process runs.
func (a *App) startRefresh(ctx context.Context) {
	a.refreshOnce.Do(func() {
		go func() {
			t := time.NewTicker(30 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				if err := a.loadCatalog(ctx, false); err != nil && ctx.Err() == nil {
					a.Log.Warn("catalog refresh failed", "err", err)
				}
				if err := a.loadCalendar(ctx); err != nil && ctx.Err() == nil {
					a.Log.Warn("calendar refresh failed", "err", err)
				}
				a.indexIDs(ctx) // collections made since the last pass
			}
		}()
	})
}

// ensureAdmin creates the configured admin. In embedded mode with no
// admin configured it makes admin@localhost with a generated password and
// prints the password once, on the first start.
func (a *App) ensureAdmin(ctx context.Context) error {
	email, pass := a.Cfg.AdminEmail, a.Cfg.AdminPassword
	generated := false
	if email == "" || pass == "" {
		if a.Cfg.MongoURI != "" {
			a.Log.Warn("no CIVICDESK_ADMIN_EMAIL/CIVICDESK_ADMIN_PASSWORD: no admin account is created")
			return nil
		}
		if email == "" {
			email = "admin@localhost"
		}
		if pass == "" {
			var b [12]byte
			_, _ = rand.Read(b[:])
			pass, generated = hex.EncodeToString(b[:]), true
		}
	}
	created, err := a.Auth.EnsureAdmin(ctx, email, pass)
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	if created && generated {
		fmt.Fprintf(os.Stderr, "\n  Admin account created: %s  password: %s\n  (shown once; set CIVICDESK_ADMIN_PASSWORD to choose your own)\n\n", email, pass)
	}
	if created {
		a.Log.Info("admin account created", "email", email)
	}
	return nil
}

// ReadyStoreDeadline bounds the store probe of /readyz, and
// ReadyStoreSlow is the answer time above which the store counts as too
// slow to serve: a page reads it several times.
const (
	ReadyStoreDeadline = 2 * time.Second
	ReadyStoreSlow     = time.Second
)

// readyProbeID is an _id no submission has: the probe's read is an index
// look-up that finds nothing.
const readyProbeID = "readyz-probe"

// Ready checks every backend; /readyz serves it.
func (a *App) Ready(ctx context.Context) error {
	if err := a.storeReady(ctx); err != nil {
		return err
	}
	if err := a.Store.ReadModelReady(); err != nil { // issue 6, IN: embedded inbox read model still loading
		return err
	}
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if _, err := a.Index.Count(ctx); err != nil && !errors.Is(err, search.ErrDisabled) {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// storeReady pings the store and reads from it within
// ReadyStoreDeadline. A ping alone is answered by the wire-protocol front
// (FerretDB) even while the database behind it stalls, so a real read by
// _id goes through to it. An answer slower than ReadyStoreSlow is
// reported too: the process would time out its pages.
func (a *App) storeReady(ctx context.Context) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, ReadyStoreDeadline)
	defer cancel()
	err := a.Store.Ping(ctx)
	if err == nil {
		if _, err = a.Store.Submission(ctx, readyProbeID); desk.ErrorCode(err) == desk.ENOTFOUND {
			err = nil
		}
	}
	took := time.Since(start)
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("store: no answer within %v", ReadyStoreDeadline)
	case err != nil:
		return fmt.Errorf("store: %w", err)
	case took > ReadyStoreSlow:
		return fmt.Errorf("store: answered in %v, too slow to serve (over %v)", took.Round(time.Millisecond), ReadyStoreSlow)
	}
	return nil
}

// WebServer builds the HTTP server's handler set.
func (a *App) WebServer() *web.Server {
	return &web.Server{
		Store: a.Store, Intake: a.Intake, Auth: a.Auth, Catalog: catalogSource{a}, Metrics: a.Metrics,
		Limiter: a.Limiter, Limits: a.limits(), Clock: a.Clock, Secret: a.Secret,
		MaxBody: a.Cfg.MaxBodyBytes, SecureTLS: strings.HasPrefix(a.Cfg.BaseURL, "https://"), Ready: a.Ready,
		Log: a.Log, TrustedProxies: trustedProxies(a.Cfg.TrustedProxies),
		Tickets:    a.Tickets,
		Hotline:    a.Hotline,
		Quarantine: a.Quarantine,
		Audit:      a.Audit,
		Workspace:  a.Workspace,    // issue 6: workspace (staff)
		Citizen:    a.newCitizen(), // issue 6: citizen side and public Q&A (citizen.go)
		Reports:    a.newReports(), // issue 9: reports (reports.go)
		Search:     a.Search,       // issue 7
		Topics:     a.Topics,       // issue 7
		Contact:    templates.NewContact(a.Cfg.Hotline, a.Cfg.IntakeAddresses),
		MailOff:    !a.email.Mailer.Enabled(),
	}
}

// limits turns the configured rates into limiter rules; Load has already
// checked that they parse.
func (a *App) limits() web.Limits {
	rule := func(name, rate string) ratelimit.Rule {
		n, win, _ := config.ParseRate(rate)
		return ratelimit.Rule{Name: name, Limit: n, Window: win}
	}
	return web.Limits{
		Submit: rule("submit", a.Cfg.LimitSubmit),
		Login:  rule("login-ip", a.Cfg.LimitLogin),
		Track:  rule("track", a.Cfg.LimitTrack),
		Sender: rule("submit-sender", a.Cfg.LimitSender),
	}
}

// Addr returns the address the web server listens on once it is bound,
// which tests need when they ask for port 0.
func (a *App) Addr(ctx context.Context) (string, error) {
	select {
	case addr := <-a.bound:
		a.bound <- addr
		return addr, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// RunWeb serves HTTP until ctx ends, then drains in-flight requests for up
// to the shutdown timeout.
func (a *App) RunWeb(ctx context.Context, srv *web.Server) error {
	if srv == nil {
		srv = a.WebServer()
	}
	app, err := srv.App()
	if err != nil {
		return err
	}
	a.runConsoleFeed(ctx)
	a.startMetrics(ctx)
	a.startReadModel(ctx) // issue 6, IN (inbox.go)
	go func() {           // issue 9: the dashboard's rollups in memory before the first request
		if err := a.Reports().Warm(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("report rollups not loaded at start; the first dashboard will load them", "err", err)
		}
	}()
	if err := a.startSMTP(ctx); err != nil { // email.go
		return err
	}
	ln, err := net.Listen("tcp", a.Cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Cfg.HTTPAddr, err)
	}
	a.startRefresh(ctx)
	a.boundOnce.Do(func() { a.bound <- ln.Addr().String() })
	a.Log.Info("web: listening", "addr", ln.Addr().String())
	open := a.openURL(ln.Addr())
	a.Log.Info("web: open "+open+" in a browser", "url", open)
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("web: draining requests", "timeout", a.Cfg.ShutdownTimeout)
	if err := app.ShutdownWithTimeout(a.Cfg.ShutdownTimeout); err != nil {
		return err
	}
	return nil
}

// openURL is the address to open in a browser: CIVICDESK_BASE_URL when it
// was set, else the bound address (the default base URL names port 8080,
// which need not be the port bound).
func (a *App) openURL(bound net.Addr) string {
	if a.Cfg.BaseURL != config.Default().BaseURL {
		return a.Cfg.BaseURL
	}
	host, port, err := net.SplitHostPort(bound.String())
	if err != nil {
		return a.Cfg.BaseURL
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// RunWorker processes tasks and runs the reconciler until ctx ends, then
// lets in-flight tasks finish for up to the shutdown timeout.
func (a *App) RunWorker(ctx context.Context) error {
	srv := asynq.NewServerFromRedisClient(a.Redis, asynq.Config{
		Concurrency:              a.Cfg.WorkerConc,
		Queues:                   workers.QueueWeights,
		ShutdownTimeout:          a.Cfg.ShutdownTimeout,
		TaskCheckInterval:        50 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		Logger:                   asynqLogger{a.Log},
		LogLevel:                 asynq.WarnLevel,
	})
	spamRules := a.spamRules(ctx) // spam.go: reloaded periodically
	mux := workers.NewMux(workers.Deps{
		Store: a.Store, Catalog: a.Catalog, Calendar: liveCalendar{a}, Clock: a.Clock, Queue: a.Queue,
		Index: a.Index, Log: a.Log, Metrics: a.Metrics, Tickets: a.Tickets,
		Spam: spamRules, Email: a.emailDeps(),
		PublicIndex: a.PublicIndex, IndexTracker: a.Search, // issue 7
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	a.Log.Info("worker: started", "concurrency", a.Cfg.WorkerConc)
	a.startMetrics(ctx)
	a.startReadModel(ctx) // issue 6, IN (inbox.go): the SLA sweep picks from it
	rec := &workers.Reconciler{Store: a.Store, Queue: a.Queue, Clock: a.Clock, Log: a.Log,
		Every: a.Cfg.ReconcileEvery, Grace: a.Cfg.ReconcileGrace, FreshQueue: a.EmbeddedRedis != nil}
	sweeper := &workers.SLASweeper{Tickets: a.Tickets, Every: a.Cfg.SLASweepEvery, Log: a.Log}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); rec.Run(ctx) }()
	go func() { defer wg.Done(); sweeper.Run(ctx) }()
	go func() { defer wg.Done(); a.runIMAP(ctx) }() // email.go
	// issue 7: search index consistency check (search.go)
	if a.SearchOn() {
		wg.Add(1)
		go func() { defer wg.Done(); a.IndexChecker().Run(ctx) }()
	}
	wg.Add(1) // issue 9: report rollups (reports.go)
	go func() { defer wg.Done(); a.runRollups(ctx) }()
	a.startRefresh(ctx)
	<-ctx.Done()
	a.Log.Info("worker: draining tasks", "timeout", a.Cfg.ShutdownTimeout)
	srv.Shutdown()
	wg.Wait()
	return nil
}

// Serve runs web and worker in one process: the default.
func (a *App) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- a.RunWorker(ctx) }()
	go func() { errc <- a.RunWeb(ctx, nil) }()
	err := <-errc
	cancel()
	if err2 := <-errc; err == nil {
		err = err2
	}
	return err
}

func redisOptions(addr string) (*redis.Options, error) {
	if strings.Contains(addr, "://") {
		o, err := redis.ParseURL(addr)
		if err != nil {
			return nil, fmt.Errorf("CIVICDESK_REDIS_ADDR: %w", err)
		}
		return o, nil
	}
	return &redis.Options{Addr: addr}, nil
}

// loadSecret returns the configured signing key, or one generated once and
// kept under the data dir so that restarts keep forms and tokens valid.
func loadSecret(cfg *config.Config) ([]byte, error) {
	if cfg.SecretKey != "" {
		return []byte(cfg.SecretKey), nil
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(b[:]))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}

func maskURI(uri string) string {
	if at := strings.LastIndex(uri, "@"); at > 0 {
		if i := strings.Index(uri, "://"); i > 0 && i < at {
			return uri[:i+3] + "****" + uri[at:]
		}
	}
	return uri
}

// asynqLogger routes asynq's logs into slog.
type asynqLogger struct{ l *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Info(args ...any)  { l.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Warn(args ...any)  { l.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Error(args ...any) { l.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Fatal(args ...any) { l.l.Error(fmt.Sprint(args...), "component", "asynq") }

// trustedProxies: config.Load has already refused a malformed list.
func trustedProxies(s string) []string {
	l, _ := config.ParseProxies(s)
	return l
}
