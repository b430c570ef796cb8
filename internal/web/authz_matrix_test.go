package web_test

// The authorization matrix (issue #6, acceptance 1). One app, seven
// callers, every route the Fiber app registers. Each route must have an
// entry in the matrix below that says, per caller, which class of answer
// it gets; a route without an entry fails the test, so an endpoint cannot
// be added without deciding who may call it.
//
// Callers (the columns of every "want" string, in this order):
//
//	anon   no credentials
//	admin  admin
//	coord  coordinator
//	oper   operator
//	staffA agency_staff of BHXH (agency A)
//	leadA  agency_lead of BHXH
//	staffB agency_staff of BYT (agency B)
//
// Classes:
//
//	A  allowed: GET answers 2xx/3xx; other methods anything but
//	   401/403/404/5xx (the probe bodies are deliberately invalid or stale,
//	   version 0, so an allowed call is refused by validation and changes
//	   nothing; authorization has passed by then)
//	D  403 forbidden      H  404 not found (out of scope looks like absent)
//	U  401 (API without a token)   L  303 to /staff/login (pages, anonymous)
//	N  404 because the probe's id does not exist (the caller was let
//	   through to the lookup; kept apart from H to say so)
//
// For ticket routes (ticket: true) the path carries an agency A ticket's
// code, and the test also checks that
//   - a guessed, well-formed code that no ticket has answers 404 to every
//     signed-in caller whose class is A or H, and
//   - staff of agency B get the same status and (codes aside) the same
//     body for A's ticket as for the guessed code: no oracle.
// And for every call whose path does not itself name an agency A ticket,
// the answers to staffB and to anonymous callers must not contain any
// agency A tracking code or A's marker word; extra list/search/count/
// export probes ask for agency A explicitly.
//
// Both faces are driven: /api/... with "Authorization: Bearer", pages
// with the session cookie and the CSRF token, as a browser would.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/smtp"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// guessCode is well formed and fresh: what an attacker's guess looks like.
var guessCode = desk.NewTrackingCode()

var callers = []string{"anon", "admin", "coord", "oper", "staffA", "leadA", "staffB"}

const (
	markerA = "Zqxbhxhmarker" // appears in every agency A ticket's title and body
	noID    = "0123456789abcdef01234567"
)

// entry is one route's row of the matrix.
type entry struct {
	want   string // one class letter per caller, in the order of callers
	ticket bool   // :code is an agency A ticket; see the file comment
	body   any    // JSON (map) for the API, url.Values for pages; nil for none
	path   string // concrete path, when the default parameters do not fit
	skip   string // why the route is not called (it is still listed)
	stream bool   // a streaming answer: read the status only
	raw    string // a raw JSON body (API), sent as is
}

// stale is the body for ticket actions: version 0 is refused after the
// scope and role checks, so allowed callers change nothing.
var stale = map[string]any{"version": 0, "body": "matrix probe", "reason": "matrix probe", "agency": "BYT", "assignee": ""}
var staleQ = map[string]any{"version": 0, "note": "matrix probe"} // the quarantine API takes only these

var staleForm = url.Values{"version": {"0"}, "body": {"matrix probe"}, "reason": {"matrix probe"}, "agency": {"BYT"}}

// matrix holds every route. Keys are "METHOD path" as registered.
func matrix(fx *fixture) map[string]entry {
	//                        anon admin coord oper staffA leadA staffB
	return map[string]entry{
		// Operations and static catalogue data: public.
		"GET /healthz":             {want: "AAAAAAA"},
		"GET /readyz":              {want: "AAAAAAA"},
		"GET /api/v1/agencies":     {want: "AAAAAAA"},
		"GET /api/v1/categories":   {want: "AAAAAAA"},
		"GET /api/v1/provinces":    {want: "AAAAAAA"},
		"POST /api/v1/submissions": {want: "AAAAAAA", body: map[string]any{}},
		"GET /api/v1/track/:code":  {want: "AAAAAAA", path: "/api/v1/track/" + fx.codeA}, // the citizen's public view
		"POST /api/v1/login":       {want: "AAAAAAA", raw: "{"},
		"POST /api/v1/cti/:token":  {want: "UUUUUUU", path: "/api/v1/cti/not-the-token"}, // the PBX's secret URL
		"GET /api/v1/stats/public": {want: "AAAAAAA"},
		"GET /api/v1/qa":           {want: "AAAAAAA"},
		"GET /api/v1/qa/:id":       {want: "NNNNNNN", path: "/api/v1/qa/" + guessCode},

		// Tickets on the API.
		"GET /api/v1/tickets":                       {want: "UAAAAAA"},
		"GET /api/v1/tickets/:code":                 {want: "UAAAAAH", ticket: true},
		"GET /api/v1/tickets/:code/attachments/:id": {want: "UAAAAAH", ticket: true, path: "/api/v1/tickets/" + fx.codeMail + "/attachments/" + fx.attID},
		"POST /api/v1/tickets/:code/release":        {want: "UAADDDD", ticket: true, body: staleQ}, // role before lookup: 403 for any code
		"POST /api/v1/tickets/:code/confirm-spam":   {want: "UAADDDD", ticket: true, body: staleQ},
		"POST /api/v1/tickets/:code/route":          {want: "UAADDDH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/return":         {want: "UDDDAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/transfer":       {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/bulk-assign":          {want: "UAADDAD", body: map[string]any{"codes": []string{fx.codeA}, "assignee": fx.staffAID}},
		"POST /api/v1/tickets/:code/claim":          {want: "UDDDAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/assign":         {want: "UAADDAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/reply":          {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/note":           {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/request-info":   {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/resolve":        {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/close":          {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/reopen":         {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/propose":        {want: "UAADAAH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/approve":        {want: "UADDDAD", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/withdraw":       {want: "UAADAAH", ticket: true, body: stale},
		// Search and topics (issue 7, SE): operators take calls and do
		// not group tickets; topics are scoped like tickets (a topic of
		// another agency, like one that does not exist, is 404).
		"GET /api/v1/qa/search":            {want: "AAAAAAA", path: "/api/v1/qa/search?q=thu%E1%BA%BF"},
		"POST /api/v1/topics":              {want: "UAADAAA", body: map[string]any{}},
		"GET /api/v1/topics/:id":           {want: "UNNDNNN"},
		"POST /api/v1/topics/:id/tickets":  {want: "UNNDNNN", body: map[string]any{}},
		"POST /api/v1/topics/:id/answer":   {want: "UAADAAA", body: map[string]any{}}, // the empty answer is refused before the lookup
		"GET /staff/search":                {want: "LAAAAAA", path: "/staff/search?q=" + markerA},
		"GET /staff/tickets/:code/similar": {want: "LAAAAAH", ticket: true},
		"POST /staff/topics":               {want: "LAADAAA", body: url.Values{}},
		"GET /staff/topics/:id":            {want: "LNNDNNN"},
		"POST /staff/topics/:id/tickets":   {want: "LNNDNNN", body: url.Values{}},
		"POST /staff/topics/:id/answer":    {want: "LNNDNNN", body: url.Values{}},
		"GET /api/v1/canned":               {want: "UAADAAA"},
		"POST /api/v1/canned":              {want: "UADDDAD", body: map[string]any{}},
		"DELETE /api/v1/canned/:id":        {want: "UNNNNNN"},

		// Accounts, tokens, audit (#6 AU).
		"POST /api/v1/admin/users":                     {want: "UADDDDD", body: map[string]any{}},
		"GET /api/v1/admin/users":                      {want: "UADDDDD"},
		"PATCH /api/v1/admin/users/:id":                {want: "UADDDDD", path: "/api/v1/admin/users/" + fx.victimID, body: map[string]any{"role": "bogus"}},
		"POST /api/v1/admin/users/:id/revoke-sessions": {want: "UADDDDD", path: "/api/v1/admin/users/" + fx.victimID + "/revoke-sessions"},
		"GET /api/v1/tokens":                           {want: "UAAAAAA"},
		"POST /api/v1/tokens":                          {want: "UAAAAAA", body: map[string]any{}},
		"DELETE /api/v1/tokens/:id":                    {want: "UNNNNNN"},
		"GET /api/v1/admin/audit":                      {want: "UADDDDD"},

		// Spam rules, routing rules, calendar: configuration is the admin's.
		"GET /api/v1/admin/spam-rules":                  {want: "UADDDDD"},
		"PUT /api/v1/admin/spam-rules":                  {want: "UADDDDD", body: map[string]any{}},
		"GET /api/v1/admin/rules":                       {want: "UADDDDD"},
		"POST /api/v1/admin/rules":                      {want: "UADDDDD", body: map[string]any{}},
		"PUT /api/v1/admin/rules/:id":                   {want: "UNDDDDD", body: map[string]any{}},
		"DELETE /api/v1/admin/rules/:id":                {want: "UNDDDDD"},
		"GET /api/v1/admin/calendar/overrides":          {want: "UADDDDD"},
		"POST /api/v1/admin/calendar/overrides":         {want: "UADDDDD", body: map[string]any{}},
		"DELETE /api/v1/admin/calendar/overrides/:date": {want: "UNDDDDD"},

		// Hotline.
		"POST /api/v1/calls":                    {want: "UAAADDD", body: map[string]any{}},
		"GET /api/v1/calls":                     {want: "UAAADDD"},
		"GET /api/v1/callers/:phone":            {want: "UAAADDD"},
		"GET /api/v1/blocked-numbers":           {want: "UAAADDD"},
		"POST /api/v1/blocked-numbers":          {want: "UAAADDD", body: map[string]any{}},
		"DELETE /api/v1/blocked-numbers/:phone": {want: "UAAADDD"},
		"GET /api/v1/admin/cti":                 {want: "UADDDDD"},

		// Reports.
		"GET /api/v1/stats/dashboard":      {want: "UAADAAA"},
		"GET /api/v1/exports/tickets.csv":  {want: "UAADAAA"},
		"GET /api/v1/exports/tickets.xlsx": {want: "UAADAAA"},
		"GET /api/v1/exports/report.csv":   {want: "UAADAAA"},
		"GET /api/v1/exports/report.xlsx":  {want: "UAADAAA"},

		// Pages: the citizen's side, public.
		"GET /":                         {want: "AAAAAAA"},
		"GET /submit":                   {want: "AAAAAAA"},
		"POST /submit":                  {want: "AAAAAAA", body: url.Values{}},
		"GET /submitted/:code":          {want: "AAAAAAA", path: "/submitted/" + fx.codeA},
		"GET /track":                    {want: "AAAAAAA"},
		"GET /track/:code":              {want: "AAAAAAA", path: "/track/" + fx.codeA},
		"GET /lang/:lang":               {want: "AAAAAAA", path: "/lang/en"},
		"POST /track/:code/verify":      {want: "AAAAAAA", path: "/track/" + fx.codeA + "/verify", body: url.Values{"phone_last4": {"0000"}}},
		"POST /track/:code/link":        {want: "AAAAAAA", path: "/track/" + fx.codeA + "/link", body: url.Values{}},
		"GET /track/:code/auth/:token":  {want: "AAAAAAA", path: "/track/" + fx.codeA + "/auth/not-a-token"},
		"POST /track/:code/auth/:token": {want: "AAAAAAA", path: "/track/" + fx.codeA + "/auth/not-a-token", body: url.Values{}},
		"POST /track/:code/reply":       {want: "UUUUUUU", path: "/track/" + fx.codeA + "/reply", body: url.Values{"body": {"x"}}},
		"POST /track/:code/rate":        {want: "UUUUUUU", path: "/track/" + fx.codeA + "/rate", body: url.Values{"score": {"5"}}},
		"GET /qa":                       {want: "AAAAAAA"},
		"GET /qa/:id":                   {want: "NNNNNNN", path: "/qa/" + guessCode},
		"GET /thong-ke":                 {want: "AAAAAAA"},
		"GET /staff/login":              {want: "AAAAAAA"},
		"POST /staff/login":             {want: "AAAAAAA", body: url.Values{"email": {strings.Repeat("x", 300)}, "password": {"x"}}},
		"POST /staff/logout":            {want: "AAAAAAA", skip: "ends the caller's session; TestSessionCookieAndLogout covers it"},

		// Pages: staff.
		"GET /staff/inbox":                         {want: "LAAAAAA"},
		"GET /staff/quarantine":                    {want: "LAADDDD"},
		"POST /staff/quarantine/:code/release":     {want: "LAADDDD", ticket: true, body: staleForm},
		"POST /staff/quarantine/:code/confirm":     {want: "LAADDDD", ticket: true, body: staleForm},
		"GET /staff/admin/rules":                   {want: "LADDDDD"},
		"POST /staff/admin/rules":                  {want: "LADDDDD", body: url.Values{}},
		"POST /staff/admin/rules/:id/delete":       {want: "LNDDDDD", body: url.Values{}},
		"POST /staff/admin/rules/:id/move":         {want: "LNDDDDD", body: url.Values{"dir": {"up"}}},
		"GET /staff/console":                       {want: "LAAADDD"},
		"GET /staff/console/events":                {want: "LAAADDD", stream: true},
		"GET /staff/console/caller":                {want: "LAAADDD", path: "/staff/console/caller?phone=0912345678"},
		"POST /staff/console/calls":                {want: "LAAADDD", body: url.Values{}},
		"POST /staff/console/block":                {want: "LAAADDD", body: url.Values{}},
		"GET /staff/calls":                         {want: "LAAADDD"},
		"GET /staff/admin/users":                   {want: "LADDDDD"},
		"POST /staff/admin/users":                  {want: "LADDDDD", body: url.Values{}},
		"POST /staff/admin/users/:id":              {want: "LADDDDD", path: "/staff/admin/users/" + fx.victimID, body: url.Values{"role": {"bogus"}}},
		"POST /staff/admin/users/:id/disable":      {want: "LADDDDD", path: "/staff/admin/users/" + fx.victimID + "/disable", body: url.Values{"disabled": {"1"}}},
		"POST /staff/admin/users/:id/revoke":       {want: "LADDDDD", path: "/staff/admin/users/" + fx.victimID + "/revoke", body: url.Values{}},
		"GET /staff/admin/tokens":                  {want: "LAAAAAA"},
		"POST /staff/admin/tokens":                 {want: "LAAAAAA", body: url.Values{}},
		"POST /staff/admin/tokens/:id/revoke":      {want: "LNNNNNN", body: url.Values{}},
		"GET /staff/admin/audit":                   {want: "LADDDDD"},
		"GET /staff/dashboard":                     {want: "LAADAAA"},
		"GET /staff/export/tickets.csv":            {want: "LAADAAA"},
		"GET /staff/export/tickets.xlsx":           {want: "LAADAAA"},
		"GET /staff/export/report.csv":             {want: "LAADAAA"},
		"GET /staff/export/report.xlsx":            {want: "LAADAAA"},
		"POST /staff/tickets/bulk-assign":          {want: "LAADDAD", body: url.Values{"codes": {fx.codeA}, "assignee": {fx.staffAID}}},
		"GET /staff/tickets/:code":                 {want: "LAAAAAH", ticket: true},
		"GET /staff/tickets/:code/attachments/:id": {want: "LAAAAAH", ticket: true, path: "/staff/tickets/" + fx.codeMail + "/attachments/" + fx.attID},
		"POST /staff/tickets/:code/claim":          {want: "LDDDAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/assign":         {want: "LAADDAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/reply":          {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/note":           {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/request-info":   {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/resolve":        {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/close":          {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/reopen":         {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/route":          {want: "LAADDDH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/return":         {want: "LDDDAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/transfer":       {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/propose":        {want: "LAADAAH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/approve":        {want: "LADDDAD", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/withdraw":       {want: "LAADAAH", ticket: true, body: staleForm},
		"GET /staff/admin/canned":                  {want: "LAADAAA"},
		"POST /staff/admin/canned":                 {want: "LADDDAD", body: url.Values{}},
		"POST /staff/admin/canned/:id/delete":      {want: "LNNNNNN", body: url.Values{}},

		// Decisions on a mail from another address: the probe's message id
		// does not exist, so callers who may work the ticket get 404 (N).
		"POST /api/v1/tickets/:code/messages/:id/accept": {want: "UNNDNNH", ticket: true, body: stale},
		"POST /api/v1/tickets/:code/messages/:id/detach": {want: "UNNDNNH", ticket: true, body: stale},
		"POST /staff/tickets/:code/messages/:id/accept":  {want: "LNNDNNH", ticket: true, body: staleForm},
		"POST /staff/tickets/:code/messages/:id/detach":  {want: "LNNDNNH", ticket: true, body: staleForm},
		// Rejecting a proposal: like approval, role before lookup.
		"POST /api/v1/tickets/:code/reject": {want: "UADDDAD", ticket: true, body: stale},
		"POST /staff/tickets/:code/reject":  {want: "LADDDAD", ticket: true, body: staleForm},
	}
}

// leakProbes are extra reads that ask for agency A's tickets outright;
// staffB's answers must not contain them.
func leakProbes(fx *fixture) []string {
	p := []string{
		"/api/v1/tickets?agency=BHXH", "/api/v1/tickets?q=" + markerA, "/api/v1/tickets?q=" + fx.codeA,
		"/api/v1/tickets?status=new,assigned,in_progress&agency=BHXH&limit=200",
		"/api/v1/exports/tickets.csv?agency=BHXH", "/api/v1/stats/dashboard?agency=BHXH",
		"/staff/inbox?agency=BHXH", "/staff/export/tickets.csv?agency=BHXH",
		"/api/v1/canned?ticket=" + fx.codeA,
		"/staff/search?q=" + markerA + "&agency=BHXH", "/staff/search?q=" + fx.codeA, "/staff/search?q=" + fx.codeMail,
		"/api/v1/tickets?q=" + markerA + "&agency=BHXH", "/api/v1/qa/search?q=" + markerA,
	}
	for _, v := range []string{"new", "mine", "unassigned", "overdue", "due_soon", "awaiting", "answered"} {
		p = append(p, "/api/v1/tickets?view="+v, "/staff/inbox?view="+v)
	}
	return p
}

type fixture struct {
	e                         *apptest.Env
	tokens                    map[string]string      // API bearer per caller ("" for anon)
	pages                     map[string]*browserish // page client per caller
	codeA, codeMail, codeB    string
	codesA                    []string
	attID, staffAID, victimID string
}

func TestAuthorizationMatrix(t *testing.T) {
	start := time.Now()
	fx := setupMatrix(t)
	m := matrix(fx)

	// Every registered route has an entry, and every entry a route.
	srv := fx.e.App.WebServer()
	app, err := srv.App()
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue // Fiber adds HEAD for each GET
		}
		registered[r.Method+" "+r.Path] = true
	}
	var missing, stale []string
	for k := range registered {
		if _, ok := m[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range m {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, k := range missing {
		t.Errorf("route %s has no entry in the authorization matrix (authz_matrix_test.go): decide who may call it", k)
	}
	for _, k := range stale {
		t.Errorf("matrix entry %s matches no registered route; remove it", k)
	}

	keys := make([]string, 0, len(m))
	for k := range m {
		if registered[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	calls := 0
	for _, k := range keys {
		en := m[k]
		if len(en.want) != len(callers) {
			t.Errorf("%s: want %q needs %d letters", k, en.want, len(callers))
			continue
		}
		if en.skip != "" {
			continue
		}
		method, route, _ := strings.Cut(k, " ")
		path := en.path
		if path == "" {
			path = fillParams(route, fx)
		}
		for i, who := range callers {
			res := fx.call(t, who, method, path, en)
			calls++
			got := classify(method, res)
			want := en.want[i]
			if want == 'N' {
				want = 'H'
			}
			if got != want {
				t.Errorf("%s %s as %s: got %c (%d), want %c  %s", method, path, who, got, res.status, en.want[i], clip(res.body))
			}
			if (who == "staffB" || who == "anon") && !strings.Contains(path, fx.codeA) && !strings.Contains(path, fx.codeMail) {
				if leak := fx.leaks(res.body); leak != "" {
					t.Errorf("%s %s as %s: answer contains agency A's %s", method, path, who, leak)
				}
			}
		}
		if !en.ticket {
			continue
		}
		// A guessed code: 404 for every signed-in caller let through to
		// the lookup. A refusal that comes before any lookup (a version
		// or field check) is allowed only if it is word for word what the
		// same caller got for the real ticket: it then says nothing.
		gpath := strings.ReplaceAll(strings.ReplaceAll(path, fx.codeA, guessCode), fx.codeMail, guessCode)
		norm := func(b string) string {
			for _, c := range []string{fx.codeA, fx.codeMail, guessCode, fx.attID} {
				b = strings.ReplaceAll(b, c, "CODE")
			}
			return csrfField.ReplaceAllString(b, "")
		}
		for i, who := range callers {
			if who == "anon" || (en.want[i] != 'A' && en.want[i] != 'H') {
				continue
			}
			real := fx.call(t, who, method, path, en)
			res := fx.call(t, who, method, gpath, en)
			calls += 2
			if res.status != http.StatusNotFound && !(res.status == real.status && res.status >= 400 && norm(res.body) == norm(real.body)) {
				t.Errorf("%s %s (guessed code) as %s: %d, want 404  %s", method, gpath, who, res.status, clip(res.body))
			}
		}
		// No oracle for agency B: A's ticket and a guessed one look alike.
		real := fx.call(t, "staffB", method, path, en)
		guess := fx.call(t, "staffB", method, gpath, en)
		calls += 2
		if real.status != guess.status || norm(real.body) != norm(guess.body) {
			t.Errorf("%s %s: staffB tells agency A's ticket (%d %s) from a guessed code (%d %s)", method, path, real.status, clip(real.body), guess.status, clip(guess.body))
		}
	}

	// Bulk assignment names codes in the body. Agency staff may not bulk
	// assign at all (403 for any code), so the lead of agency A tries
	// agency B's ticket: it must fail exactly as a guessed code does.
	for _, face := range []string{"api", "page"} {
		bulk := func(code string) *answer {
			if face == "api" {
				return fx.call(t, "leadA", "POST", "/api/v1/tickets/bulk-assign", entry{body: map[string]any{"codes": []string{code}, "assignee": fx.staffAID}})
			}
			return fx.call(t, "leadA", "POST", "/staff/tickets/bulk-assign", entry{body: url.Values{"codes": {code}, "assignee": {fx.staffAID}}})
		}
		b, g := bulk(fx.codeB), bulk(guessCode)
		var out struct{ Assigned int }
		json.Unmarshal([]byte(b.body), &out)
		if out.Assigned != 0 || b.status == http.StatusSeeOther && !strings.Contains(b.loc, "assigned=0") {
			t.Errorf("bulk-assign (%s): agency A's lead assigned agency B's ticket: %d %s %s", face, b.status, b.loc, clip(b.body))
		}
		if b.status != g.status || strings.ReplaceAll(b.body, fx.codeB, "CODE") != strings.ReplaceAll(g.body, guessCode, "CODE") {
			t.Errorf("bulk-assign (%s): leadA tells B's ticket (%d %s) from a guessed one (%d %s)", face, b.status, clip(b.body), g.status, clip(g.body))
		}
	}
	// Topics name codes in the body too: agency B's staff filing agency
	// A's ticket under a topic fail as with a guessed code.
	for _, face := range []string{"api", "page"} {
		topic := func(code string) *answer {
			if face == "api" {
				return fx.call(t, "staffB", "POST", "/api/v1/topics", entry{body: map[string]any{"title": "matrix", "codes": []string{code}}})
			}
			return fx.call(t, "staffB", "POST", "/staff/topics", entry{body: url.Values{"title": {"matrix"}, "codes": {code}}})
		}
		a, g := topic(fx.codeA), topic(guessCode)
		if a.status != http.StatusNotFound || g.status != a.status || strings.ReplaceAll(a.body, fx.codeA, "CODE") != strings.ReplaceAll(g.body, guessCode, "CODE") {
			t.Errorf("topics (%s): staffB with agency A's ticket %d %s; with a guessed one %d %s", face, a.status, clip(a.body), g.status, clip(g.body))
		}
	}
	if r := fx.call(t, "admin", "GET", "/api/v1/tickets/"+fx.codeB, entry{}); strings.Contains(r.body, fx.staffAID) {
		t.Errorf("agency B's ticket got agency A's assignee: %s", clip(r.body))
	}

	// Lists, searches, counts and exports that ask for agency A.
	for _, p := range leakProbes(fx) {
		res := fx.call(t, "staffB", "GET", p, entry{})
		calls++
		if leak := fx.leaks(unecho(p, res.body)); leak != "" {
			t.Errorf("GET %s as staffB (%d): answer contains agency A's %s", p, res.status, leak)
		}
		if strings.HasPrefix(p, "/api/v1/tickets?") && res.status == http.StatusOK {
			var out struct{ Total int }
			json.Unmarshal([]byte(res.body), &out)
			if out.Total > 1 { // agency B has one ticket
				t.Errorf("GET %s as staffB: total %d counts tickets of other agencies", p, out.Total)
			}
		}
	}
	// And the same reads do show agency A's tickets to agency A's staff,
	// so the probes above could have caught a leak.
	res := fx.call(t, "staffA", "GET", "/api/v1/tickets?agency=BHXH", entry{})
	if !strings.Contains(res.body, fx.codeA) {
		t.Errorf("staffA's own list lacks %s: %s", fx.codeA, clip(res.body))
	}
	t.Logf("authorization matrix: %d routes, %d calls, %v", len(keys), calls, time.Since(start).Round(time.Millisecond))
}

// unecho removes the request's own query values where an answer repeats
// them ("q":"…" in JSON, value="…" in a search box): an echo of what the
// caller typed is not a leak.
var langSwitchRe = regexp.MustCompile(`href="/lang/[^"]*"`)

func unecho(path, body string) string {
	u, err := url.Parse(path)
	if err != nil {
		return body
	}
	// The language switch carries the page's own URL back to it.
	body = langSwitchRe.ReplaceAllString(body, "")
	for k, vs := range u.Query() {
		for _, v := range vs {
			body = strings.ReplaceAll(body, `"`+k+`":"`+v+`"`, "")
			body = strings.ReplaceAll(body, `value="`+v+`"`, "")
		}
	}
	return body
}

func fillParams(route string, fx *fixture) string {
	r := strings.NewReplacer(":code", fx.codeA, ":id", noID, ":phone", "0987654321", ":token", "not-a-token", ":date", "2031-01-01", ":lang", "en")
	return r.Replace(route)
}

type answer struct {
	status int
	loc    string
	body   string
}

func classify(method string, a *answer) byte {
	switch {
	case a.status == 401:
		return 'U'
	case a.status == 403:
		return 'D'
	case a.status == 404:
		return 'H'
	case a.status >= 500:
		return 'E'
	case (a.status == 302 || a.status == 303) && strings.HasPrefix(a.loc, "/staff/login"):
		return 'L'
	case method == http.MethodGet && a.status >= 400:
		return 'X' // a read refused for another reason
	}
	return 'A'
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// leaks names agency A's data found in body, if any.
func (fx *fixture) leaks(body string) string {
	for _, c := range fx.codesA {
		if strings.Contains(body, c) {
			return "tracking code " + c
		}
	}
	if strings.Contains(strings.ToLower(tagRE.ReplaceAllString(body, " ")), strings.ToLower(markerA)) {
		return "marker " + markerA
	}
	return ""
}

func (fx *fixture) call(t *testing.T, who, method, path string, en entry) *answer {
	t.Helper()
	if strings.HasPrefix(path, "/api/") {
		var rd io.Reader
		ct := ""
		switch {
		case en.raw != "":
			rd, ct = strings.NewReader(en.raw), "application/json"
		case en.body != nil:
			b, _ := json.Marshal(en.body)
			rd, ct = bytes.NewReader(b), "application/json"
		}
		req, _ := http.NewRequest(method, fx.e.URL+path, rd)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if tok := fx.tokens[who]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		return fx.send(t, req, false)
	}
	b := fx.pages[who]
	var rd io.Reader
	form, _ := en.body.(url.Values)
	if method != http.MethodGet {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("_csrf", b.csrf)
		rd = strings.NewReader(f.Encode())
	}
	req, _ := http.NewRequest(method, fx.e.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if en.stream {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req = req.WithContext(ctx)
	}
	return fx.sendWith(t, b.c, req, en.stream)
}

func (fx *fixture) send(t *testing.T, req *http.Request, stream bool) *answer {
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return fx.sendWith(t, c, req, stream)
}

func (fx *fixture) sendWith(t *testing.T, c *http.Client, req *http.Request, stream bool) *answer {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	a := &answer{status: res.StatusCode, loc: res.Header.Get("Location")}
	if !stream {
		b, _ := io.ReadAll(res.Body)
		a.body = string(b)
	}
	return a
}

// setupMatrix starts the app, makes one user per caller and three
// tickets: two in agency A (one from the portal, one by email with an
// attachment) and one in agency B.
func setupMatrix(t *testing.T) *fixture {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.IntakeAddresses = "phananh@localhost, bhxh@localhost=BHXH"
	}})
	fx := &fixture{e: e, tokens: map[string]string{}, pages: map[string]*browserish{}}
	users := map[string][3]string{
		"coord":  {"coord@matrix.vn", string(desk.RoleCoordinator), ""},
		"oper":   {"oper@matrix.vn", string(desk.RoleOperator), ""},
		"staffA": {"staffa@matrix.vn", string(desk.RoleStaff), "BHXH"},
		"leadA":  {"leada@matrix.vn", string(desk.RoleLead), "BHXH"},
		"staffB": {"staffb@matrix.vn", string(desk.RoleStaff), "BYT"},
		"victim": {"victim@matrix.vn", string(desk.RoleOperator), ""},
	}
	fx.tokens["admin"] = e.AdminToken()
	for who, u := range users {
		fx.tokens[who] = e.CreateUser(u[0], desk.Role(u[1]), u[2])
	}
	fx.staffAID = userID(t, e, fx.tokens["admin"], "staffa@matrix.vn")
	fx.victimID = userID(t, e, fx.tokens["admin"], "victim@matrix.vn")
	delete(fx.tokens, "victim")
	for _, who := range callers {
		b := newBrowserish(t, e)
		switch who {
		case "anon":
		case "admin":
			b.mustLogin(apptest.AdminEmail, apptest.AdminPassword)
		default:
			b.mustLogin(users[who][0], userPassword)
		}
		fx.pages[who] = b
	}

	subA := apptest.Submission()
	subA["category"], subA["title"] = "tam-dung-bhxh", "Chưa được tạm dừng đóng BHXH "+markerA
	subA["body"] = "Doanh nghiệp nộp hồ sơ tạm dừng đóng vào quỹ hưu trí nhưng chưa được giải quyết. " + markerA
	fx.codeA = e.Submit(subA)
	subB := apptest.Submission()
	subB["category"], subB["phone"], subB["email"] = "y-te", "0987000111", "b@example.vn"
	fx.codeB = e.Submit(subB)

	addr, err := e.App.SMTPAddr(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mail := "From: Tran Van Binh <binh@example.vn>\r\nTo: bhxh@localhost\r\nSubject: Ho so tam dung dong " + markerA + "\r\n" +
		"Message-ID: <matrix.1@example.vn>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDe nghi xem xet ho so tam dung dong BHXH cua cong ty. " + markerA + "\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"giay.pdf\"\r\nContent-Disposition: attachment; filename=\"giay.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--b1--\r\n"
	if err := smtp.SendMail(addr, nil, "binh@example.vn", []string{"bhxh@localhost"}, []byte(mail)); err != nil {
		t.Fatalf("send mail: %v", err)
	}

	type tk struct {
		TrackingCode string                `json:"tracking_code"`
		Agency       string                `json:"agency"`
		Title        string                `json:"title"`
		Attachments  []struct{ ID string } `json:"attachments"`
	}
	var list struct{ Tickets []tk }
	apptest.WaitFor(t, 30*time.Second, "three tickets routed", func() bool {
		r := e.Do("GET", "/api/v1/tickets?limit=200", nil, "Authorization", "Bearer "+fx.tokens["admin"])
		list.Tickets = nil
		json.Unmarshal(r.Body, &list)
		n := 0
		for _, x := range list.Tickets {
			if x.Agency != "" {
				n++
			}
		}
		return n >= 3
	})
	for _, x := range list.Tickets {
		switch {
		case x.TrackingCode == fx.codeA && x.Agency == "BHXH":
		case x.TrackingCode == fx.codeB && x.Agency == "BYT":
		case strings.Contains(x.Title, markerA) && x.Agency == "BHXH" && len(x.Attachments) == 1:
			fx.codeMail, fx.attID = x.TrackingCode, x.Attachments[0].ID
		default:
			t.Fatalf("unexpected ticket %+v", x)
		}
	}
	if fx.codeMail == "" {
		t.Fatalf("the emailed ticket with its attachment is missing: %+v", list.Tickets)
	}
	fx.codesA = []string{fx.codeA, fx.codeMail}
	if r := e.Do("GET", "/api/v1/tickets/"+fx.codeMail+"/attachments/"+fx.attID, nil, "Authorization", "Bearer "+fx.tokens["staffA"]); r.Status != http.StatusOK {
		t.Fatalf("staffA cannot download the attachment: %d %s", r.Status, r.Body)
	}
	return fx
}
