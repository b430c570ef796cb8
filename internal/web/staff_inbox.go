package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// inboxPageSize is the inbox's rows per page (issue 6: 50 a page).
const inboxPageSize = 50

type inboxRow struct {
	TrackingCode, Title, AgencyName, Status, Assignee string
	CreatedAt, DueAt                                  time.Time
	Overdue                                           bool
	// Suspect marks tickets the spam check tagged; shown to coordinators
	// and admins only, so that agency staff are not biased against the
	// citizen.
	Suspect bool
}

type inboxTab struct {
	View, Label, URL string
	Count            int
	Active           bool
}

// inboxQuery reads ?view= and fills in the time the views are judged at:
// now, and "due soon" = due by the end of the second working day from
// now on the Vietnamese calendar (48 h when no calendar is wired).
func (s *Server) inboxQuery(c *fiber.Ctx) (store.InboxQuery, error) {
	view := c.Query("view")
	if view == "all" {
		view = store.ViewAll
	}
	if !store.ValidView(view) {
		s.Log.Info("inbox: unknown view", "view", view, "ip", c.IP())
		return store.InboxQuery{}, &desk.Error{Code: desk.EINVALID,
			Message: "Chế độ xem không hợp lệ; dùng new, mine, unassigned, overdue, due_soon, awaiting hoặc answered. (Unknown inbox view.)",
			Fields:  map[string]string{"view": "new, mine, unassigned, overdue, due_soon, awaiting, answered"}}
	}
	now := s.Clock.Now()
	q := store.InboxQuery{View: view, Now: now}
	if s.Tickets != nil && s.Tickets.Calendar != nil {
		if cal := s.Tickets.Calendar(); cal != nil {
			q.SoonUntil = cal.AddWorkingDays(now, 2)
		}
	}
	return q, nil
}

// inbox: GET /staff/inbox?view=&page=, the open tickets in the user's
// scope, overdue first then by due date, 50 a page, with a tab per view
// showing its count. The store scopes every row and count (Store.Inbox).
func (s *Server) inbox(c *fiber.Ctx) error {
	u := userOf(c)
	q, err := s.inboxQuery(c)
	if err != nil {
		return err
	}
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 20000 {
			s.Log.Info("inbox: bad page", "page", v, "ip", c.IP())
			return &desk.Error{Code: desk.EINVALID, Message: "Số trang không hợp lệ (invalid page number).", Fields: map[string]string{"page": "1–20000"}}
		}
		page = n
	}
	q.Limit, q.Offset, q.Counts = inboxPageSize, (page-1)*inboxPageSize, true
	p, err := s.Store.Inbox(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	cat := s.Catalog.Catalog()
	names := map[string]string{u.ID: u.Name}
	rows := make([]inboxRow, 0, len(p.Rows))
	for _, t := range p.Rows {
		r := inboxRow{TrackingCode: t.TrackingCode, Title: t.Title, Status: string(t.Status), CreatedAt: t.CreatedAt, DueAt: t.DueAt, Overdue: t.Overdue}
		if a := cat.Agency(t.Agency); a != nil {
			r.AgencyName = a.Name
		}
		if t.Assignee != "" {
			name, ok := names[t.Assignee]
			if !ok { // one read by _id per distinct assignee on the page
				if au, err := s.Store.UserByID(c.UserContext(), t.Assignee); err == nil {
					name = au.Name
				}
				names[t.Assignee] = name
			}
			r.Assignee = name
		}
		r.Suspect = !u.Role.AgencyBound() && t.Suspect
		rows = append(rows, r)
	}
	tabs := make([]inboxTab, 0, len(store.InboxViews))
	for _, v := range store.InboxViews {
		key, link := "inbox.view.all", "/staff/inbox"
		if v != store.ViewAll {
			key, link = "inbox.view."+v, "/staff/inbox?view="+url.QueryEscape(v)
		}
		tabs = append(tabs, inboxTab{View: v, Label: s.t(c, key), URL: link, Count: p.Counts[v], Active: v == q.View})
	}
	pages := max(1, (p.Total+inboxPageSize-1)/inboxPageSize)
	pageURL := func(n int) string {
		v := url.Values{}
		if q.View != "" {
			v.Set("view", q.View)
		}
		v.Set("page", strconv.Itoa(n))
		return "/staff/inbox?" + v.Encode()
	}
	var prev, next string
	if page > 1 {
		prev = pageURL(min(page-1, pages))
	}
	if page < pages {
		next = pageURL(page + 1)
	}
	var agencyName string
	if a := cat.Agency(u.Agency); a != nil && u.Role.AgencyBound() {
		agencyName = a.Name
	}
	return s.render(c, "inbox", s.t(c, "inbox.title"), fiber.Map{
		"Tickets": rows, "Total": p.Total, "AgencyName": agencyName, "Tabs": tabs, "View": q.View,
		"Page": page, "Pages": pages, "PrevURL": prev, "NextURL": next,
		"Assignees": s.inboxAssignees(c, u), "Me": u.ID,
	})
}

// inboxAssignees are the people the bulk-assign form offers: the user
// and, for those who may assign, the staff of their agency.
func (s *Server) inboxAssignees(c *fiber.Ctx, u *desk.User) []*desk.User {
	out := []*desk.User{u}
	if u.Role != desk.RoleLead && u.Role != desk.RoleCoordinator && u.Role != desk.RoleAdmin {
		return out
	}
	us, err := s.Store.InboxAssignees(c.UserContext(), u)
	if err != nil {
		s.Log.Warn("inbox: assignee list", "err", err)
		return out
	}
	for _, x := range us {
		if x.ID != u.ID {
			out = append(out, x)
		}
	}
	return out
}
