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
	"github.com/civicdesk/civicdesk/internal/citizen"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/metrics"
	"github.com/civicdesk/civicdesk/internal/quarantine"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/reports"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/internal/ticketsearch"
	"github.com/civicdesk/civicdesk/internal/topics"
	"github.com/civicdesk/civicdesk/internal/workspace"
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
	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For names the client; from any other peer the header is
	// ignored, so a client cannot choose its own rate-limit bucket.
	TrustedProxies []string
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
	// --- search (issue 7) ---
	// Search runs staff keyword search and public Q&A search; Topics
	// groups similar tickets and answers them together.
	Search *ticketsearch.Service
	Topics *topics.Service
	// --- issue 6: citizen side and public Q&A ---
	// Citizen proves ownership, takes citizen replies and ratings, and
	// keeps publications and the public Q&A (track_citizen.go,
	// staff_publication.go, public_qa.go).
	Citizen *citizen.Service
	// --- reports (issue 9) ---
	// Reports computes the dashboard, the public figures and exports,
	// scoped by role inside the service.
	Reports *reports.Service
	// --- issue 6: workspace (staff) ---
	// Workspace claims, assigns, replies, notes, asks the citizen and
	// closes tickets, and keeps canned responses (api_workspace.go,
	// staff_ticket.go, staff_canned.go).
	Workspace *workspace.Service
	// Contact is the hotline and intake address every portal page shows.
	Contact templates.Contact
	// MailOff is set when no outbound relay is configured: the tracking
	// page then offers no emailed sign-in link and never says one was sent.
	MailOff bool

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

// proxyHeader names the header that carries the client IP: none unless a
// proxy is trusted.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
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
		// The proxy replaces X-Forwarded-For with the address it saw
		// (deploy/nginx.conf), so the first valid entry is the client.
		ProxyHeader:             proxyHeader(s.TrustedProxies),
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.TrustedProxies,
		EnableIPValidation:      true,
	})
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		ReferrerPolicy:        "same-origin",
	}))
	app.Use(s.requestLog)
	app.Use(s.sizeLimit)
	app.Use(s.headerLimit) // limits.go

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
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
	// #6 AU: user admin, API tokens, audit log (api_accounts.go).
	api.Get("/admin/users", s.apiAuth, s.apiUsers)
	api.Patch("/admin/users/:id", s.apiAuth, s.apiUpdateUser)
	api.Post("/admin/users/:id/revoke-sessions", s.apiAuth, s.apiRevokeSessions)
	api.Get("/tokens", s.apiAuth, s.apiTokens)
	api.Post("/tokens", s.apiAuth, s.apiCreateToken)
	api.Delete("/tokens/:id", s.apiAuth, s.apiRevokeToken)
	api.Get("/admin/audit", s.apiAuth, s.apiAudit)
	// end #6 AU
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
	// Search (issue 7): keyword search is GET /tickets?q= (api_search.go);
	// public Q&A search (api_qa_search.go, before /qa/:id) and topics
	// (api_topics.go).
	api.Get("/qa/search", s.qaLimit, s.apiQASearch)
	api.Post("/topics", s.apiAuth, s.apiCreateTopic)
	api.Get("/topics/:id", s.apiAuth, s.apiTopic)
	api.Post("/topics/:id/tickets", s.apiAuth, s.apiTopicAddTickets)
	api.Post("/topics/:id/answer", s.apiAuth, s.apiTopicAnswer)
	// end issue 7
	// Reports (issue 9): dashboard figures, public statistics, exports
	// (staff_dashboard.go, public_stats.go, exports.go).
	api.Get("/stats/public", s.limit(s.Limits.Track), s.apiPublicStats)
	api.Get("/stats/dashboard", s.apiAuth, s.apiDashboard)
	api.Get("/exports/tickets.csv", s.apiAuth, s.requireReports, s.exportTickets(reports.FormatCSV))
	api.Get("/exports/tickets.xlsx", s.apiAuth, s.requireReports, s.exportTickets(reports.FormatXLSX))
	api.Get("/exports/report.csv", s.apiAuth, s.exportReport(reports.FormatCSV))
	api.Get("/exports/report.xlsx", s.apiAuth, s.exportReport(reports.FormatXLSX))
	// issue 6: workspace (staff) (api_workspace.go).
	api.Post("/tickets/bulk-assign", s.apiAuth, s.apiBulkAssign)
	api.Post("/tickets/:code/claim", s.apiAuth, s.apiClaim)
	api.Post("/tickets/:code/assign", s.apiAuth, s.apiAssign)
	api.Post("/tickets/:code/reply", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.Reply }))
	api.Post("/tickets/:code/note", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.Note }))
	api.Post("/tickets/:code/request-info", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.RequestInfo }))
	api.Post("/tickets/:code/resolve", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.Resolve }))
	api.Post("/tickets/:code/close", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.Close }))
	api.Post("/tickets/:code/reopen", s.apiAuth, s.apiWSText(func(w *workspace.Service) textAction { return w.Reopen }))
	api.Post("/tickets/:code/messages/:id/accept", s.apiAuth, s.apiWSMessage(func(w *workspace.Service) messageAction { return w.AcceptMessage }))
	api.Post("/tickets/:code/messages/:id/detach", s.apiAuth, s.apiWSMessage(func(w *workspace.Service) messageAction { return w.DetachMessage }))
	api.Get("/canned", s.apiAuth, s.apiCanned)
	api.Post("/canned", s.apiAuth, s.apiSaveCanned)
	api.Delete("/canned/:id", s.apiAuth, s.apiDeleteCanned)
	// issue 6: citizen side and public Q&A (staff_publication.go, public_qa.go).
	api.Post("/tickets/:code/propose", s.apiAuth, s.apiPublication(pubPropose))
	api.Post("/tickets/:code/approve", s.apiAuth, s.apiPublication(pubApprove))
	api.Post("/tickets/:code/withdraw", s.apiAuth, s.apiPublication(pubWithdraw))
	api.Post("/tickets/:code/reject", s.apiAuth, s.apiPublication(pubReject))
	api.Get("/qa", s.qaLimit, s.apiQA)
	api.Get("/qa/:id", s.qaLimit, s.apiQAEntry)
	// end issue 6: citizen side
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
	web.Get(ConsoleEventsPath, s.requireUser, s.consoleEvents)
	web.Get("/staff/console/caller", s.requireUser, s.consoleCaller)
	web.Post("/staff/console/calls", s.requireUser, s.consoleLogCall)
	web.Post("/staff/console/block", s.requireUser, s.consoleBlock)
	web.Get("/staff/calls", s.requireUser, s.callLog)
	// #6 AU: accounts, tokens, audit log (staff_admin_accounts.go).
	web.Get("/staff/admin/users", s.requireUser, s.usersPage)
	web.Post("/staff/admin/users", s.requireUser, s.usersCreate)
	web.Post("/staff/admin/users/:id", s.requireUser, s.usersUpdate)
	web.Post("/staff/admin/users/:id/disable", s.requireUser, s.usersDisable)
	web.Post("/staff/admin/users/:id/revoke", s.requireUser, s.usersRevoke)
	web.Get("/staff/admin/tokens", s.requireUser, s.tokensPage)
	web.Post("/staff/admin/tokens", s.requireUser, s.tokensCreate)
	web.Post("/staff/admin/tokens/:id/revoke", s.requireUser, s.tokensRevoke)
	web.Get("/staff/admin/audit", s.requireUser, s.auditPage)
	// end #6 AU
	// Reports (issue 9): staff dashboard, exports, public statistics.
	web.Get("/staff/dashboard", s.requireUser, s.dashboard)
	web.Get("/staff/export/tickets.csv", s.requireUser, s.requireReports, s.exportTickets(reports.FormatCSV))
	web.Get("/staff/export/tickets.xlsx", s.requireUser, s.requireReports, s.exportTickets(reports.FormatXLSX))
	web.Get("/staff/export/report.csv", s.requireUser, s.exportReport(reports.FormatCSV))
	web.Get("/staff/export/report.xlsx", s.requireUser, s.exportReport(reports.FormatXLSX))
	web.Get("/thong-ke", s.limit(s.Limits.Track), s.publicStats)
	// issue 6: workspace (staff) (staff_ticket.go, staff_canned.go).
	web.Post("/staff/tickets/bulk-assign", s.requireUser, s.staffBulkAssign)
	web.Get("/staff/tickets/:code", s.requireUser, s.staffTicket)
	web.Get("/staff/tickets/:code/attachments/:id", s.requireUser, s.staffTicketAttachment)
	web.Post("/staff/tickets/:code/claim", s.requireUser, s.wsClaimForm())
	web.Post("/staff/tickets/:code/assign", s.requireUser, s.wsAssignForm())
	web.Post("/staff/tickets/:code/reply", s.requireUser, s.wsTextForm("reply", func(w *workspace.Service) textAction { return w.Reply }))
	web.Post("/staff/tickets/:code/note", s.requireUser, s.wsTextForm("note", func(w *workspace.Service) textAction { return w.Note }))
	web.Post("/staff/tickets/:code/request-info", s.requireUser, s.wsTextForm("request-info", func(w *workspace.Service) textAction { return w.RequestInfo }))
	web.Post("/staff/tickets/:code/resolve", s.requireUser, s.wsTextForm("resolve", func(w *workspace.Service) textAction { return w.Resolve }))
	web.Post("/staff/tickets/:code/close", s.requireUser, s.wsTextForm("close", func(w *workspace.Service) textAction { return w.Close }))
	web.Post("/staff/tickets/:code/reopen", s.requireUser, s.wsTextForm("reopen", func(w *workspace.Service) textAction { return w.Reopen }))
	web.Post("/staff/tickets/:code/messages/:id/accept", s.requireUser, s.wsMessageForm("message-accept", func(w *workspace.Service) messageAction { return w.AcceptMessage }))
	web.Post("/staff/tickets/:code/messages/:id/detach", s.requireUser, s.wsMessageForm("message-detach", func(w *workspace.Service) messageAction { return w.DetachMessage }))
	web.Post("/staff/tickets/:code/route", s.requireUser, s.wsMoveForm("route", func(t *tickets.Service) moveFunc { return t.Route }))
	web.Post("/staff/tickets/:code/return", s.requireUser, s.wsMoveForm("return", func(t *tickets.Service) moveFunc { return t.Return }))
	web.Post("/staff/tickets/:code/transfer", s.requireUser, s.wsMoveForm("transfer", func(t *tickets.Service) moveFunc { return t.Transfer }))
	web.Get("/staff/admin/canned", s.requireUser, s.cannedPage)
	web.Post("/staff/admin/canned", s.requireUser, s.cannedSave)
	web.Post("/staff/admin/canned/:id/delete", s.requireUser, s.cannedDelete)
	// issue 6: citizen side and public Q&A (track_citizen.go, staff_publication.go, public_qa.go).
	web.Post("/track/:code/verify", s.limit(s.Limits.Track), s.trackVerify)
	web.Post("/track/:code/link", s.limit(s.Limits.Track), s.trackLink)
	web.Get("/track/:code/auth/:token", s.limit(s.Limits.Track), s.trackAuthConfirm)
	web.Post("/track/:code/auth/:token", s.limit(s.Limits.Track), s.trackAuth)
	web.Post("/track/:code/reply", s.limit(s.Limits.Track), s.trackReply)
	web.Post("/track/:code/rate", s.limit(s.Limits.Track), s.trackRate)
	web.Post("/staff/tickets/:code/propose", s.requireUser, s.staffPublication("propose", pubPropose))
	web.Post("/staff/tickets/:code/approve", s.requireUser, s.staffPublication("approve", pubApprove))
	web.Post("/staff/tickets/:code/withdraw", s.requireUser, s.staffPublication("withdraw", pubWithdraw))
	web.Post("/staff/tickets/:code/reject", s.requireUser, s.staffPublication("reject", pubReject))
	web.Get("/qa", s.qaLimit, s.publicQA)
	web.Get("/qa/:id", s.qaLimit, s.publicQAEntry)
	// end issue 6: citizen side
	// Search (issue 7): staff search, similar tickets, topics (staff_search.go).
	web.Get("/staff/search", s.requireUser, s.searchPage)
	web.Get("/staff/tickets/:code/similar", s.requireUser, s.similarPage)
	web.Post("/staff/topics", s.requireUser, s.topicCreatePost)
	web.Get("/staff/topics/:id", s.requireUser, s.topicPage)
	web.Post("/staff/topics/:id/tickets", s.requireUser, s.topicAddPost)
	web.Post("/staff/topics/:id/answer", s.requireUser, s.topicAnswerPost)
	// end issue 7
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
