package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/store"
)

// consoleForm is the call form's values, kept when it is shown again with
// errors.
type consoleForm struct {
	CallID, Phone, Name, Province, Category, Summary, Answer, Ticket string
	Outcome                                                          desk.Outcome
}

type missedRow struct {
	Display, Phone, At string
}

func (s *Server) mayHandleCalls(c *fiber.Ctx) error {
	if !desk.MayHandleCalls(userOf(c)) {
		return desk.Errorf(desk.EFORBIDDEN, "Trang này dành cho điện thoại viên (operators only).")
	}
	return nil
}

// renderConsole shows the console. The call id is made here, once per
// rendered form, so a resent form logs the same call (and makes at most
// one ticket); a CTI newCall replaces it with the PBX's id.
func (s *Server) renderConsole(c *fiber.Ctx, f consoleForm, errs map[string]string, done string) error {
	if f.CallID == "" {
		f.CallID = "m-" + store.NewID()
	}
	if f.Outcome == "" {
		f.Outcome = desk.OutcomeAnswered
	}
	u := userOf(c)
	ctx := c.UserContext()
	missed := true
	calls, err := s.Hotline.Calls(ctx, u, desk.CallFilter{Missed: &missed, Limit: 20})
	if err != nil {
		return err
	}
	rows := make([]missedRow, 0, len(calls))
	for _, m := range calls {
		rows = append(rows, missedRow{Display: phone.Display(m.Phone), Phone: m.Phone, At: m.StartedAt.In(hcm).Format("02/01 15:04")})
	}
	blocks, err := s.Hotline.Blocks(ctx, u)
	if err != nil {
		return err
	}
	type outcomeOpt struct {
		Value desk.Outcome
		Label string
	}
	var outcomes []outcomeOpt
	for _, o := range desk.Outcomes {
		outcomes = append(outcomes, outcomeOpt{o, s.t(c, "outcome."+string(o))})
	}
	cat := s.Catalog.Catalog()
	return s.render(c, "console", s.t(c, "console.title"), fiber.Map{
		"Form": f, "Errors": errs, "Done": done, "Saved": c.Locals("consoleSaved") == true, "Missed": rows, "Blocked": blocks,
		"Outcomes": outcomes, "Categories": cat.Categories, "Provinces": s.Catalog.Provinces(),
	})
}

// console: GET /staff/console, the operator console.
func (s *Server) console(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	// done names the ticket the last call made or added to; any other
	// value (an old link carrying a call id) only says the call was saved.
	done, saved := "", c.Query("saved") != ""
	if q := c.Query("done"); q != "" {
		if code, ok := desk.NormalizeTrackingCode(q); ok {
			done = code
		} else {
			saved = true
		}
	}
	c.Locals("consoleSaved", saved)
	return s.renderConsole(c, consoleForm{Phone: clone(c.Query("phone"))}, nil, done)
}

// consoleLogCall: POST /staff/console/calls logs the call, then shows a
// fresh console (post/redirect/get) naming the ticket made, if any.
func (s *Server) consoleLogCall(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	f := consoleForm{CallID: clone(c.FormValue("call_id")), Phone: clone(c.FormValue("phone")), Name: clone(c.FormValue("name")),
		Province: clone(c.FormValue("province")), Category: clone(c.FormValue("category")), Summary: clone(c.FormValue("summary")),
		Answer: clone(c.FormValue("answer")), Ticket: clone(c.FormValue("ticket")), Outcome: desk.Outcome(clone(c.FormValue("outcome")))}
	res, err := s.Hotline.LogCall(c.UserContext(), userOf(c), hotline.LogInput{
		CallID: f.CallID, Phone: f.Phone, Name: f.Name, Province: f.Province, Category: f.Category,
		Summary: f.Summary, Answer: f.Answer, Outcome: f.Outcome, TicketCode: f.Ticket,
	})
	if err != nil {
		de, ok := err.(*desk.Error)
		if !ok || de.Code != desk.EINVALID {
			return err
		}
		s.Log.Info("console call log refused", "fields", fieldNames(err), "user", userOf(c).ID)
		errs := de.Fields
		if errs == nil {
			errs = map[string]string{"_": de.Message}
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderConsole(c, f, errs, "")
	}
	if res.TrackingCode != "" {
		return c.Redirect("/staff/console?done="+url.QueryEscape(res.TrackingCode), fiber.StatusSeeOther)
	}
	return c.Redirect("/staff/console?saved=1", fiber.StatusSeeOther)
}

// consoleBlock: POST /staff/console/block {phone, reason, days}; days 0
// blocks for good.
func (s *Server) consoleBlock(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("days", "0")))
	if err != nil || days < 0 || days > 3650 {
		return desk.Errorf(desk.EINVALID, "Số ngày chặn không hợp lệ (days must be 0 to 3650).")
	}
	var until time.Time
	if days > 0 {
		until = s.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)
	}
	if c.FormValue("unblock") != "" {
		if err := s.Hotline.Unblock(c.UserContext(), userOf(c), clone(c.FormValue("phone"))); err != nil {
			return err
		}
		return c.Redirect("/staff/console", fiber.StatusSeeOther)
	}
	if _, err := s.Hotline.Block(c.UserContext(), userOf(c), clone(c.FormValue("phone")), clone(c.FormValue("reason")), until); err != nil {
		if desk.ErrorCode(err) == desk.EINVALID {
			s.Log.Info("console block refused", "fields", fieldNames(err))
		}
		return err
	}
	return c.Redirect("/staff/console", fiber.StatusSeeOther)
}

// consoleTicket and consoleCall are the history as the console script
// shows it: labels already in the page's language, dates formatted.
type consoleTicket struct {
	Code     string `json:"code"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Label    string `json:"status_label"`
	Open     bool   `json:"open"`
	Overdue  bool   `json:"overdue"`
	Due      string `json:"due"`
	Created  string `json:"created"`
	Channel  string `json:"channel"`
	Category string `json:"category"`
}

type consoleCall struct {
	At      string `json:"at"`
	Outcome string `json:"outcome"`
	Summary string `json:"summary"`
	Ticket  string `json:"ticket,omitempty"`
	Missed  bool   `json:"missed"`
}

// consoleCaller: GET /staff/console/caller?phone=, the caller's history
// for the console script (session cookie; same service and scoping as
// GET /api/v1/callers/{phone}).
func (s *Server) consoleCaller(c *fiber.Ctx) error {
	h, err := s.Hotline.CallerHistory(c.UserContext(), userOf(c), clone(c.Query("phone")))
	if err != nil {
		c.Status(statusOf(err))
		return c.JSON(fiber.Map{"error": desk.ErrorMessage(err)})
	}
	now := s.Clock.Now()
	cat := s.Catalog.Catalog()
	tickets := make([]consoleTicket, 0, len(h.Tickets))
	for _, t := range h.Tickets {
		ct := consoleTicket{Code: t.TrackingCode, Title: t.Title, Status: string(t.Status), Label: s.t(c, "status."+string(t.Status)),
			Open: t.Open(), Overdue: t.Overdue(now), Due: dmy(t.DueAt), Created: dmy(t.CreatedAt), Channel: s.t(c, "channel."+string(t.Channel))}
		if k := cat.Category(t.Category); k != nil {
			ct.Category = k.Name
		}
		tickets = append(tickets, ct)
	}
	calls := make([]consoleCall, 0, len(h.Calls))
	for _, k := range h.Calls {
		cc := consoleCall{At: k.StartedAt.In(hcm).Format("02/01/2006 15:04"), Summary: k.Summary, Ticket: k.TicketCode, Missed: k.Missed}
		if k.Outcome != "" {
			cc.Outcome = s.t(c, "outcome."+string(k.Outcome))
		} else if k.Missed {
			cc.Outcome = s.t(c, "calls.missed")
		}
		calls = append(calls, cc)
	}
	out := fiber.Map{"phone": h.Phone, "display": h.Display, "name": h.Name, "tickets": tickets, "calls": calls}
	if h.Blocked != nil {
		out["blocked"] = h.Blocked.Reason
	}
	return c.JSON(out)
}

func dmy(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(hcm).Format("02/01/2006")
}
