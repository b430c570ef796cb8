package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/ticketsearch"
)

// apiSearchTickets: GET /api/v1/tickets?q=… (issue 7), reached from
// apiTickets when q is set. Filters: agency, status, channel, category,
// province (each repeatable or comma-separated), overdue=true|false,
// from/to (YYYY-MM-DD, Vietnam time, inclusive), sort=relevance|due|
// created|oldest, limit (clamped to 100), offset. The agency filter only
// narrows the caller's own scope, which ticketsearch takes from the user.
func (s *Server) apiSearchTickets(c *fiber.Ctx) error {
	if s.Search == nil {
		return desk.Errorf(desk.ENOTFOUND, "Tìm kiếm chưa được bật (search is not enabled).")
	}
	p, err := searchParams(c)
	if err != nil {
		return err
	}
	res, err := s.Search.Search(c.UserContext(), userOf(c), p)
	if err != nil {
		return err
	}
	tickets := make([]*desk.Ticket, 0, len(res.Hits))
	highlights := map[string]map[string][]string{}
	for _, h := range res.Hits {
		tickets = append(tickets, h.Ticket)
		if len(h.Highlights) > 0 {
			highlights[h.Ticket.TrackingCode] = h.Highlights
		}
	}
	return c.JSON(fiber.Map{"tickets": tickets, "total": res.Total, "limit": res.Limit, "offset": res.Offset,
		"q": p.Text, "sort": res.Sort, "facets": res.Facets, "highlights": highlights})
}

// searchParams reads a staff search from the query string. Parameters
// with other names (agency[], scope, …) are ignored, never interpreted.
func searchParams(c *fiber.Ctx) (ticketsearch.Params, error) {
	args := c.Context().QueryArgs()
	multi := func(name string) []string {
		var out []string
		for _, v := range args.PeekMulti(name) {
			out = append(out, string(v))
		}
		return out
	}
	p := ticketsearch.Params{
		Text: c.Query("q"), Agencies: multi("agency"), Statuses: multi("status"), Channels: multi("channel"),
		Categories: multi("category"), Provinces: multi("province"), Sort: c.Query("sort"),
		IncludeNotes: c.Query("notes") == "1" || c.Query("notes") == "true",
	}
	bad := func(field, msg string) error {
		return &desk.Error{Code: desk.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
	}
	switch c.Query("overdue") {
	case "":
	case "true", "1":
		t := true
		p.Overdue = &t
	case "false", "0":
		f := false
		p.Overdue = &f
	default:
		return p, bad("overdue", "Tham số overdue phải là true hoặc false (overdue must be true or false).")
	}
	for name, dst := range map[string]*int{"limit": &p.Limit, "offset": &p.Offset} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return p, bad(name, "Tham số "+name+" phải là số không âm ("+name+" must be a non-negative number).")
			}
			*dst = min(n, 1_000_000)
		}
	}
	for name, dst := range map[string]*time.Time{"from": &p.CreatedFrom, "to": &p.CreatedTo} {
		if v := c.Query(name); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, hcm)
			if err != nil {
				return p, bad(name, "Ngày phải có dạng YYYY-MM-DD (dates are YYYY-MM-DD).")
			}
			if name == "to" {
				d = d.Add(24*time.Hour - time.Nanosecond) // the whole day, inclusive
			}
			*dst = d.UTC()
		}
	}
	return p, nil
}
