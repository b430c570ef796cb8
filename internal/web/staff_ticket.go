package web

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/internal/workspace"
)

// The staff ticket page (issue 6): GET /staff/tickets/:code shows the
// ticket, its citizen, the whole timeline, the citizen's other tickets
// with the same agency, the attachments and the action forms; each action
// is a POST form (CSRF-checked by the web group) that redirects back here
// with 303, or shows the page again with a clear message when refused.
// Reading the page is an audited view of personal data ("ticket.view").

// tlItem is one line of the merged timeline.
type tlItem struct {
	At       time.Time
	Kind     string // message, event, call
	Label    string
	Author   string
	Body     string
	Detail   string
	Internal bool
	Public   bool
	// From is the message's sender address; MsgID and State are set on a
	// mail from another address, which carries the accept and detach
	// buttons while it is held.
	From       string
	Envelope   string
	MsgID      string
	State      string
	DetachedTo string
}

type optRow struct{ Value, Label string }

type cannedOpt struct{ ID, Title, Text string }

type hopRow struct {
	At                    time.Time
	Kind, From, To, Actor string
	Reason, Suggested     string
}

type otherRow struct {
	Code, Title, Status string
	CreatedAt           time.Time
}

type ticketCan struct {
	Claim, Assign, Reply, Note, RequestInfo, Resolve, Close, Reopen bool
	Route, Return, Transfer, Propose, Approve                       bool
}

type staffTicketView struct {
	T                                      *desk.Ticket
	AgencyName, CategoryName, AssigneeName string
	SuggestedName                          string
	Overdue                                bool
	Timeline                               []tlItem
	Hops                                   []hopRow
	Others                                 []otherRow
	Attachments                            []desk.Attachment
	Staff, Agencies                        []optRow
	Canned                                 []cannedOpt
	Can                                    ticketCan
	Error, Done, Form, Body                string
	Fields                                 map[string]string
	MaxBody                                int
	PhoneDisplay                           string
}

// staffTicket: GET /staff/tickets/:code.
func (s *Server) staffTicket(c *fiber.Ctx) error {
	t, err := s.wsTicket(c, c.Params("code"))
	if err != nil {
		return err
	}
	v := &staffTicketView{}
	if d := c.Query("done"); d != "" && doneActions[d] {
		v.Done = "ws.done." + d
	}
	return s.renderTicket(c, t, v)
}

var doneActions = map[string]bool{"claim": true, "assign": true, "reply": true, "note": true, "request-info": true,
	"resolve": true, "close": true, "reopen": true, "route": true, "return": true, "transfer": true}

// renderTicket builds and renders the page, and records the view.
func (s *Server) renderTicket(c *fiber.Ctx, t *desk.Ticket, v *staffTicketView) error {
	ctx := c.UserContext()
	u := userOf(c)
	cat := s.Catalog.Catalog()
	now := s.Clock.Now()
	v.T, v.MaxBody = t, workspace.MaxBody
	v.AgencyName = agencyName(cat, t.Agency)
	v.SuggestedName = agencyName(cat, t.SuggestedAgency)
	v.CategoryName = s.categoryName(c, t.Category)
	v.Overdue = t.OverdueFlag || t.Overdue(now)
	v.Attachments = t.Attachments
	for _, m := range t.Messages {
		v.Attachments = append(v.Attachments, m.Attachments...)
	}
	names := s.userNames(ctx)
	if t.Assignee != "" {
		v.AssigneeName = names(t.Assignee)
	}
	// The caller's document serves both the linked calls and the other
	// tickets: one read for the page.
	var caller *store.Caller
	if t.Citizen.Phone != "" {
		var err error
		if caller, err = s.Store.Caller(ctx, t.Citizen.Phone); err != nil {
			s.Log.Warn("ticket page: caller not read", "code", t.TrackingCode, "err", err)
		}
	}
	v.Timeline = s.timeline(c, t, caller, names, u.Role.AgencyBound())
	for _, h := range t.Hops {
		v.Hops = append(v.Hops, hopRow{At: h.At, Kind: h.Kind, From: agencyName(cat, h.From), To: agencyName(cat, h.To),
			Actor: names(h.Actor), Reason: h.Reason, Suggested: agencyName(cat, h.Suggested)})
	}
	v.Others = s.otherTickets(ctx, u, t, caller)
	v.Can = can(u, t)
	if v.Can.Assign {
		staff, err := s.Store.UsersInAgencies(ctx, t.AgencyPath)
		if err != nil {
			return err
		}
		for _, p := range staff {
			v.Staff = append(v.Staff, optRow{Value: p.ID, Label: p.Name + " — " + agencyName(cat, p.Agency)})
		}
	}
	if v.Can.Route || v.Can.Transfer || v.Can.Return {
		for _, a := range cat.Agencies {
			if a.Code != t.Agency {
				v.Agencies = append(v.Agencies, optRow{Value: a.Code, Label: a.Name})
			}
		}
	}
	if v.Can.Reply {
		list, err := s.Workspace.CannedForTicket(ctx, u, t)
		if err != nil {
			return err
		}
		for _, r := range list {
			v.Canned = append(v.Canned, cannedOpt{ID: r.ID, Title: r.Title, Text: s.Workspace.Expand(r.Body, t)})
		}
	}
	if t.Citizen.Phone != "" {
		v.PhoneDisplay = phone.Display(t.Citizen.Phone)
	}
	s.Audit.Record(ctx, audit.Entry{Actor: u, Action: "ticket.view", Target: t.TrackingCode, IP: c.IP(), Note: "staff page"})
	return s.render(c, "ticket", t.TrackingCode, v)
}

func agencyName(cat *desk.Catalog, code string) string {
	if code == "" {
		return ""
	}
	if a := cat.Agency(code); a != nil {
		return a.Name
	}
	return code
}

// userNames returns a lookup of user names by id, reading each id once.
func (s *Server) userNames(ctx context.Context) func(id string) string {
	cache := map[string]string{"system": "Hệ thống", "citizen": "Người dân", "": ""}
	return func(id string) string {
		if n, ok := cache[id]; ok {
			return n
		}
		n := id
		if u, err := s.Store.UserByID(ctx, id); err == nil && u.Name != "" {
			n = u.Name
		}
		cache[id] = n
		return n
	}
}

// timeline merges messages, events and the calls linked to the ticket,
// oldest first. Events that only accompany a message are left out (the
// message shows instead).
//
// Agency staff do not see the spam check's verdicts, as in the inbox, so
// that a score does not bias them against the citizen.
func (s *Server) timeline(c *fiber.Ctx, t *desk.Ticket, caller *store.Caller, names func(string) string, agencyStaff bool) []tlItem {
	cat := s.Catalog.Catalog()
	var out []tlItem
	for _, m := range t.Messages {
		it := tlItem{At: m.At, Kind: "message", Body: m.Body, Internal: m.Kind == desk.MessageNote, Public: m.Public(), Author: names(m.Author),
			From: m.From, Envelope: m.Envelope, MsgID: m.ID, State: m.State, DetachedTo: m.DetachedTo}
		switch {
		case m.Kind == desk.MessageCitizen && m.State != "":
			it.Label = s.t(c, "ws.msg.other")
			it.Detail = string(m.Channel)
		case m.Kind == desk.MessageCitizen:
			it.Label = s.t(c, "ws.msg.citizen")
			if m.Channel != "" {
				it.Detail = string(m.Channel)
			}
		case m.Kind == desk.MessageNote:
			it.Label = s.t(c, "ws.msg.note")
		default:
			it.Label = s.t(c, "ws.msg.reply")
		}
		out = append(out, it)
	}
	for _, e := range t.Events {
		if e.Type == desk.EventMessage || e.Type == workspace.EventNote {
			continue
		}
		if agencyStaff && (e.Type == desk.EventSpamChecked || e.Type == desk.EventSpamConfirmed) {
			continue
		}
		label := s.t(c, "event."+e.Type)
		if label == "event."+e.Type {
			label = e.Type
		}
		it := tlItem{At: e.At, Kind: "event", Label: label, Author: names(e.Actor), Public: e.Public}
		from, to := e.From, e.To
		switch e.Type {
		case desk.EventDueSet, desk.EventClockResumed:
			if d, err := time.Parse(time.RFC3339, e.To); err == nil {
				to = d.In(hcm).Format("02/01/2006 15:04")
			}
			from = ""
		case workspace.EventClaimed, workspace.EventAssigned:
			from, to = names(from), names(to)
		default:
			if a := cat.Agency(from); a != nil {
				from = a.Name
			}
			if a := cat.Agency(to); a != nil {
				to = a.Name
			}
		}
		switch {
		case from != "" && to != "":
			it.Detail = from + " → " + to
		case to != "":
			it.Detail = to
		}
		if e.Note != "" {
			it.Body = e.Note
		}
		out = append(out, it)
	}
	for _, call := range s.ticketCalls(c.UserContext(), t, caller) {
		it := tlItem{At: call.StartedAt, Kind: "call", Label: s.t(c, "ws.call"), Author: call.OperatorName, Body: call.Summary}
		if call.Outcome != "" {
			it.Detail = string(call.Outcome)
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// ticketCalls are the hotline calls linked to t, found through the
// caller's document (reads by _id only, see store/callers.go).
func (s *Server) ticketCalls(ctx context.Context, t *desk.Ticket, caller *store.Caller) []*desk.Call {
	if t.Citizen.Phone == "" || caller == nil {
		return nil
	}
	ids := make([]string, 0, 20)
	for _, r := range caller.Calls {
		if len(ids) == 20 {
			break
		}
		ids = append(ids, r.ID)
	}
	calls, err := s.Store.CallerCalls(ctx, t.Citizen.Phone, ids)
	if err != nil {
		s.Log.Warn("ticket page: calls not read", "code", t.TrackingCode, "err", err)
		return nil
	}
	var out []*desk.Call
	for _, cl := range calls {
		if cl.TicketCode == t.TrackingCode {
			out = append(out, cl)
		}
	}
	return out
}

// otherTickets are the citizen's other tickets that actor may see and
// that the same agency holds (or held under it), newest first: by phone
// through the caller's document, else by email.
func (s *Server) otherTickets(ctx context.Context, actor *desk.User, t *desk.Ticket, caller *store.Caller) []otherRow {
	var list []*desk.Ticket
	var err error
	switch {
	case t.Citizen.Phone != "":
		if caller != nil {
			ids := make([]string, 0, 50)
			for _, r := range caller.Tickets {
				if len(ids) == 50 {
					break
				}
				if r.ID != t.ID {
					ids = append(ids, r.ID)
				}
			}
			list, err = s.Store.CallerTickets(ctx, actor, t.Citizen.Phone, ids)
		} else {
			list, err = s.Store.TicketsByPhone(ctx, actor, t.Citizen.Phone, 50)
		}
	case t.Citizen.Email != "":
		list, err = s.Store.TicketsByEmail(ctx, actor, strings.ToLower(t.Citizen.Email), 50)
	}
	if err != nil {
		s.Log.Warn("ticket page: other tickets not read", "code", t.TrackingCode, "err", err)
		return nil
	}
	var out []otherRow
	for _, o := range list {
		if o.ID == t.ID || (o.Agency != t.Agency && !slices.Contains(o.AgencyPath, t.Agency)) {
			continue
		}
		out = append(out, otherRow{Code: o.TrackingCode, Title: o.Title, Status: string(o.Status), CreatedAt: o.CreatedAt})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// can says which forms the page shows u for t. The services decide again
// on every POST; this only keeps the page free of buttons that would fail.
func can(u *desk.User, t *desk.Ticket) ticketCan {
	var k ticketCan
	if u == nil {
		return k
	}
	bound := u.Role.AgencyBound()
	central := u.Role == desk.RoleCoordinator || u.Role == desk.RoleAdmin
	if !bound && !central {
		return k
	}
	st := t.Status
	in := func(list ...desk.Status) bool { return slices.Contains(list, st) }
	k.Claim = bound && !in(desk.StatusTriage, desk.StatusClosed, desk.StatusQuarantined) && t.Assignee != u.ID &&
		(t.Assignee == "" || u.Role == desk.RoleLead)
	k.Assign = (u.Role == desk.RoleLead || central) && !in(desk.StatusClosed, desk.StatusQuarantined)
	k.Reply = in(desk.StatusNew, desk.StatusInProgress, desk.StatusAwaitingCitizen, desk.StatusAnswered)
	k.Note = st != desk.StatusQuarantined
	k.RequestInfo = in(desk.StatusNew, desk.StatusInProgress, desk.StatusAnswered)
	k.Resolve = !in(desk.StatusResolved, desk.StatusClosed, desk.StatusTriage, desk.StatusQuarantined)
	k.Close = !in(desk.StatusClosed, desk.StatusTriage, desk.StatusQuarantined)
	k.Reopen = in(desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed)
	k.Route = central && st == desk.StatusTriage
	k.Return = bound && t.Open() && st != desk.StatusTriage
	k.Transfer = t.Open() && (central || st != desk.StatusTriage)
	k.Propose = in(desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed) &&
		(t.Publication == nil || t.Publication.State == desk.PublicationWithdrawn || t.Publication.State == desk.PublicationRejected)
	k.Approve = (u.Role == desk.RoleLead || u.Role == desk.RoleAdmin) && t.Publication != nil && t.Publication.State == desk.PublicationProposed
	return k
}

// formVersion reads the hidden version field (0 when missing or bad,
// which the services refuse with a clear message).
func formVersion(c *fiber.Ctx) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue("version")), 10, 64)
	return n
}

// wsPost runs one POST action for the ticket page: on success 303 back to
// the page (or to the inbox when the ticket left the actor's sight, as
// after a transfer); on a refusal the page again, with the message, the
// HTTP status of the error and what was typed kept in the form.
func (s *Server) wsPost(action string, run func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := userOf(c)
		code := clone(c.Params("code"))
		err := run(c, wsCtx(c), u, code)
		if err == nil {
			t, rerr := s.wsTicket(c, code)
			if desk.ErrorCode(rerr) == desk.ENOTFOUND {
				return c.Redirect("/staff/inbox?moved="+url.QueryEscape(code), fiber.StatusSeeOther)
			}
			if rerr != nil {
				return rerr
			}
			return c.Redirect("/staff/tickets/"+url.PathEscape(t.TrackingCode)+"?done="+action, fiber.StatusSeeOther)
		}
		code2 := desk.ErrorCode(err)
		if code2 == desk.ENOTFOUND || code2 == desk.EINTERNAL || code2 == desk.EUNAUTH {
			return err
		}
		t, rerr := s.wsTicket(c, code)
		if rerr != nil {
			return rerr
		}
		v := &staffTicketView{Error: desk.ErrorMessage(err), Form: action, Body: c.FormValue("body")}
		var de *desk.Error
		if errors.As(err, &de) {
			v.Fields = de.Fields
		}
		c.Status(statusOf(err))
		return s.renderTicket(c, t, v)
	}
}

func (s *Server) wsTextForm(action string, act func(*workspace.Service) textAction) fiber.Handler {
	return s.wsPost(action, func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		_, err := act(s.Workspace)(ctx, u, code, workspace.ReplyInput{Version: formVersion(c), Body: c.FormValue("body"), Canned: c.FormValue("canned")})
		return err
	})
}

func (s *Server) wsClaimForm() fiber.Handler {
	return s.wsPost("claim", func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		_, err := s.Workspace.Claim(ctx, u, code, formVersion(c))
		return err
	})
}

func (s *Server) wsAssignForm() fiber.Handler {
	return s.wsPost("assign", func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		_, err := s.Workspace.Assign(ctx, u, code, formVersion(c), c.FormValue("assignee"))
		return err
	})
}

func (s *Server) wsMoveForm(action string, move func(*tickets.Service) moveFunc) fiber.Handler {
	return s.wsPost(action, func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		// The scoped read first: a ticket out of scope is 404 for every
		// role, before the tickets service says what the role may do.
		// The tickets service writes the audit entry with the move.
		if _, err := s.wsTicket(c, code); err != nil {
			return err
		}
		in := tickets.MoveInput{Agency: c.FormValue("agency"), SuggestedAgency: c.FormValue("suggested_agency"),
			Reason: c.FormValue("reason"), Version: formVersion(c)}
		_, err := move(s.Tickets)(ctx, u, code, in)
		return err
	})
}

// staffBulkAssign: POST /staff/tickets/bulk-assign (codes repeated,
// assignee), from the inbox; back to the inbox with the counts.
func (s *Server) staffBulkAssign(c *fiber.Ctx) error {
	var codes []string
	for _, v := range c.Request().PostArgs().PeekMulti("codes") {
		codes = append(codes, string(v))
	}
	if form, err := c.MultipartForm(); err == nil && form != nil {
		codes = append(codes, form.Value["codes"]...)
	}
	n, failed, err := s.Workspace.BulkAssignDetail(wsCtx(c), userOf(c), codes, c.FormValue("assignee"))
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		parts := make([]string, 0, len(failed))
		for _, f := range failed {
			parts = append(parts, f.Code+": "+f.Error)
		}
		return desk.Errorf(desk.EINVALID, "Đã phân công %d phiếu; không phân công được (not assigned): %s", n, strings.Join(parts, "; "))
	}
	return c.Redirect("/staff/inbox?assigned="+strconv.Itoa(n), fiber.StatusSeeOther)
}

// staffTicketAttachment: GET /staff/tickets/:code/attachments/:id, the
// same scoped download as the API's, for the signed-in page.
func (s *Server) staffTicketAttachment(c *fiber.Ctx) error {
	return s.apiTicketAttachment(c)
}

// wsMessageForm serves the accept and detach buttons of a mail from
// another address on the staff ticket page.
func (s *Server) wsMessageForm(action string, act func(*workspace.Service) messageAction) fiber.Handler {
	return s.wsPost(action, func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		_, err := act(s.Workspace)(ctx, u, code, clone(c.Params("id")), workspace.ReplyInput{Version: formVersion(c)})
		return err
	})
}
