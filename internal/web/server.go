// Package web is civicdesk's HTTP face: the citizen portal, the staff
// pages and the JSON API under /api/v1, on Fiber.
//
// Handlers stay thin: parse the request, call a service, render. Agency
// scoping and validation live in the services, so no handler can forget
// them. One action per file, named after the route.
package web

import (
	"context"
	"github.com/civicdesk/civicdesk/internal/audit"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/metrics"
	"github.com/civicdesk/civicdesk/internal/quarantine"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/templates"
)

// Server holds what the handlers need.
type Server struct {
	Store     *store.Store
	Intake    *intake.Service
	Auth      *auth.Service
	Catalog   intake.CatalogSource
	Metrics   *metrics.Metrics
	Limiter   *ratelimit.Limiter
	Limits    Limits
	Log       *slog.Logger
	Clock     desk.Clock
	Secret    []byte // signs CSRF tokens
	MaxBody   int
	SecureTLS bool // set cookies Secure (behind TLS)
	// Ready reports whether every backend answers; /readyz calls it.
	Ready func(ctx context.Context) error
	// Tickets routes, transfers, keeps SLA clocks, and edits routing
	// rules and calendar overrides.
	Tickets *tickets.Service
	// Hotline handles calls, the CTI webhook and the console feed.
	Hotline *hotline.Service
	// Quarantine reviews what the spam check held back.
	Quarantine *quarantine.Service
	// Audit records sign-ins, permission changes, views of personal data
	// and ticket actions.
	Audit *audit.Recorder

	pages *templates.Set
}

// Limits are the public endpoints' rate limits, per client IP.
type Limits struct {
	Submit ratelimit.Rule
	Login  ratelimit.Rule
	Track  ratelimit.Rule
	// Sender limits submissions per phone number and per e-mail address
	// (limit_sender.go).
	Sender ratelimit.Rule
}

// App builds the Fiber application with every route.
func (s *Server) App() (*fiber.App, error) {
	pages, err := templates.Parse()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	app := fiber.New(fiber.Config{
		AppName: "civicdesk",
		// The server reads up to twice the limit so that a body just over it
		// gets a clear 413 from sizeLimit instead of a reset connection;
		// beyond that fasthttp drops the connection unread.
		BodyLimit:             2 * s.MaxBody,
		ReadBufferSize:        16 * 1024, // room for long cookies; headers past it are refused
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
	})
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
		ReferrerPolicy:        "same-origin",
	}))
	app.Use(s.requestLog)
	app.Use(s.sizeLimit)
	app.Use(s.headerLimit) // limits.go

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics())
	app.Use("/static", s.static())

	api := app.Group("/api/v1")
	api.Get("/agencies", s.apiAgencies)
	api.Get("/categories", s.apiCategories)
	api.Get("/provinces", s.apiProvinces)
	api.Post("/submissions", s.limit(s.Limits.Submit), s.apiSubmit)
	api.Get("/track/:code", s.limit(s.Limits.Track), s.apiTrack)
	api.Post("/login", s.limit(s.Limits.Login), s.apiLogin)
	api.Get("/tickets", s.apiAuth, s.apiTickets)
	api.Get("/tickets/:code", s.apiAuth, s.apiTicket)
	api.Get("/tickets/:code/attachments/:id", s.apiAuth, s.apiTicketAttachment) // emailed files
	api.Post("/admin/users", s.apiAuth, s.apiCreateUser)
	// Spam: the quarantine review and the rules (api_quarantine.go, api_spam_rules.go).
	api.Post("/tickets/:code/release", s.apiAuth, s.apiRelease)
	api.Post("/tickets/:code/confirm-spam", s.apiAuth, s.apiConfirmSpam)
	api.Get("/admin/spam-rules", s.apiAuth, s.apiSpamRules)
	api.Put("/admin/spam-rules", s.apiAuth, s.apiPutSpamRules)
	// Routing, transfers and the calendar (api_ticket_transfer.go,
	// api_admin_rules.go, api_admin_calendar.go).
	api.Post("/tickets/:code/route", s.apiAuth, s.apiRoute)
	api.Post("/tickets/:code/return", s.apiAuth, s.apiReturn)
	api.Post("/tickets/:code/transfer", s.apiAuth, s.apiTransfer)
	api.Get("/admin/rules", s.apiAuth, s.apiRules)
	api.Post("/admin/rules", s.apiAuth, s.apiCreateRule)
	api.Put("/admin/rules/:id", s.apiAuth, s.apiUpdateRule)
	api.Delete("/admin/rules/:id", s.apiAuth, s.apiDeleteRule)
	api.Get("/admin/calendar/overrides", s.apiAuth, s.apiOverrides)
	api.Post("/admin/calendar/overrides", s.apiAuth, s.apiPutOverride)
	api.Delete("/admin/calendar/overrides/:date", s.apiAuth, s.apiDeleteOverride)
	// Hotline (api_calls.go, api_cti.go).
	api.Post("/cti/:token", s.apiCTI)
	api.Post("/calls", s.apiAuth, s.apiLogCall)
	api.Get("/calls", s.apiAuth, s.apiCalls)
	api.Get("/callers/:phone", s.apiAuth, s.apiCaller)
	api.Get("/blocked-numbers", s.apiAuth, s.apiBlocked)
	api.Post("/blocked-numbers", s.apiAuth, s.apiBlock)
	api.Delete("/blocked-numbers/:phone", s.apiAuth, s.apiUnblock)
	api.Get("/admin/cti", s.apiAuth, s.apiCTIInfo)
	api.Use(func(c *fiber.Ctx) error {
		return desk.Errorf(desk.ENOTFOUND, "Không có đường dẫn API này (no such API endpoint): %s %s", c.Method(), c.Path())
	})

	web := app.Group("", s.csrf, s.webSession)
	web.Get("/", s.home)
	web.Get("/submit", s.submitForm)
	web.Post("/submit", s.limit(s.Limits.Submit), s.submitPost)
	web.Get("/submitted/:code", s.submitted)
	web.Get("/track", s.limit(s.Limits.Track), s.trackPage)
	web.Get("/track/:code", s.limit(s.Limits.Track), s.trackPage)
	web.Get("/lang/:lang", s.setLang)
	web.Get("/staff/login", s.loginForm)
	web.Post("/staff/login", s.limit(s.Limits.Login), s.loginPost)
	web.Post("/staff/logout", s.logout)
	web.Get("/staff/inbox", s.requireUser, s.inbox)
	// The spam quarantine review (staff_quarantine.go).
	web.Get("/staff/quarantine", s.requireUser, s.quarantinePage)
	web.Post("/staff/quarantine/:code/release", s.requireUser, s.quarantineRelease)
	web.Post("/staff/quarantine/:code/confirm", s.requireUser, s.quarantineConfirm)
	// Routing rules admin page (staff_rules.go).
	web.Get("/staff/admin/rules", s.requireUser, s.rulesPage)
	web.Post("/staff/admin/rules", s.requireUser, s.rulesSave)
	web.Post("/staff/admin/rules/:id/delete", s.requireUser, s.rulesDelete)
	web.Post("/staff/admin/rules/:id/move", s.requireUser, s.rulesMove)
	// Hotline console and call log (staff_console*.go, staff_calls.go).
	web.Get("/staff/console", s.requireUser, s.console)
	web.Get("/staff/console/events", s.requireUser, s.consoleEvents)
	web.Get("/staff/console/caller", s.requireUser, s.consoleCaller)
	web.Post("/staff/console/calls", s.requireUser, s.consoleLogCall)
	web.Post("/staff/console/block", s.requireUser, s.consoleBlock)
	web.Get("/staff/calls", s.requireUser, s.callLog)
	web.Use(func(c *fiber.Ctx) error {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy trang (page not found).")
	})
	return app, nil
}

// sizeLimit refuses bodies over MaxBody before any handler parses them.
func (s *Server) sizeLimit(c *fiber.Ctx) error {
	if n := len(c.Request().Body()); n > s.MaxBody {
		s.Log.Warn("request body over the limit", "path", c.Path(), "bytes", n, "limit", s.MaxBody, "ip", c.IP())
		return desk.Errorf(desk.ETOOLARGE, "Nội dung gửi lên quá lớn: tối đa %d byte (request body over %d bytes).", s.MaxBody, s.MaxBody)
	}
	return c.Next()
}

// requestLog writes one structured line per request; query strings are
// left out because they can carry tracking codes and search terms.
func (s *Server) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		} else {
			status = statusOf(err)
		}
	}
	lvl := slog.LevelDebug
	if status >= 500 {
		lvl = slog.LevelError
	} else if status >= 400 {
		lvl = slog.LevelInfo
	}
	s.Log.Log(c.UserContext(), lvl, "http", "method", c.Method(), "path", c.Route().Path, "status", status,
		"ms", time.Since(start).Milliseconds(), "ip", c.IP())
	return err
}
