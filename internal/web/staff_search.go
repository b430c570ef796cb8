package web

import (
	"errors"
	"html"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/ticketsearch"
)

// Staff search page, similar tickets and topics (issue 7).

// markPart is a piece of a highlighted fragment: plain text, or a match to
// wrap in <mark>. The template escapes both, so indexed text is never
// trusted as HTML: the index's fragments (escaped, with <mark> tags) are
// split on the tags and unescaped back to text here.
type markPart struct {
	Text string
	Mark bool
}

// markParts splits a fragment made by search.Highlighter.
func markParts(frag string) []markPart {
	var out []markPart
	for frag != "" {
		i := strings.Index(frag, "<mark>")
		if i < 0 {
			out = append(out, markPart{Text: html.UnescapeString(frag)})
			break
		}
		if i > 0 {
			out = append(out, markPart{Text: html.UnescapeString(frag[:i])})
		}
		frag = frag[i+len("<mark>"):]
		j := strings.Index(frag, "</mark>")
		if j < 0 {
			out = append(out, markPart{Text: html.UnescapeString(frag), Mark: true})
			break
		}
		out = append(out, markPart{Text: html.UnescapeString(frag[:j]), Mark: true})
		frag = frag[j+len("</mark>"):]
	}
	return out
}

type snippet struct {
	Field string
	Parts []markPart
}

type searchRow struct {
	TrackingCode, Title, AgencyName, Status, Channel string
	CreatedAt, DueAt                                 time.Time
	Overdue                                          bool
	TitleParts                                       []markPart
	Snippets                                         []snippet
}

type facetValue struct {
	Value, Label, Href string
	Count              int
	Active             bool
}

type facetView struct {
	Name   string
	Values []facetValue
}

// searchPage: GET /staff/search. Without q it shows the form only: a list
// with no keyword is the inbox (Mongo), not the index.
func (s *Server) searchPage(c *fiber.Ctx) error {
	u := userOf(c)
	cat := s.Catalog.Catalog()
	data := fiber.Map{"Q": c.Query("q"), "Query": c.Queries(), "Agencies": cat.Agencies, "Categories": cat.Categories,
		"Statuses": []desk.Status{desk.StatusTriage, desk.StatusNew, desk.StatusInProgress, desk.StatusAwaitingCitizen, desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed},
		"Channels": []desk.Channel{desk.ChannelWeb, desk.ChannelHotline, desk.ChannelEmail}, "Scoped": u.Role.AgencyBound()}
	title := s.t(c, "search.title")
	if strings.TrimSpace(c.Query("q")) == "" || s.Search == nil {
		return s.render(c, "search", title, data)
	}
	p, err := searchParams(c)
	if err == nil {
		var res *ticketsearch.Result
		if res, err = s.Search.Search(c.UserContext(), u, p); err == nil {
			s.fillSearch(c, data, res)
		}
	}
	if errors.Is(err, search.ErrDisabled) {
		// The form stays, with the reason instead of results.
		c.Status(fiber.StatusServiceUnavailable)
		c.Set(fiber.HeaderRetryAfter, unavailableRetryAfter)
		data["Error"] = ErrSearchOff.Message
		return s.render(c, "search", title, data)
	}
	if err != nil {
		if desk.ErrorCode(err) != desk.EINVALID {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		data["Error"] = desk.ErrorMessage(err)
	}
	return s.render(c, "search", title, data)
}

func (s *Server) fillSearch(c *fiber.Ctx, data fiber.Map, res *ticketsearch.Result) {
	cat := s.Catalog.Catalog()
	now := s.Clock.Now()
	rows := make([]searchRow, 0, len(res.Hits))
	for _, h := range res.Hits {
		t := h.Ticket
		r := searchRow{TrackingCode: t.TrackingCode, Title: t.Title, Status: string(t.Status), Channel: string(t.Channel),
			CreatedAt: t.CreatedAt, DueAt: t.DueAt, Overdue: t.OverdueFlag || t.Overdue(now)}
		if a := cat.Agency(t.Agency); a != nil {
			r.AgencyName = a.Name
		}
		if f := h.Highlights[search.FieldTitle]; len(f) > 0 {
			r.TitleParts = markParts(f[0])
		}
		for _, field := range []string{search.FieldBody, search.FieldMessages, search.FieldStaffNotes} {
			for _, f := range h.Highlights[field] {
				r.Snippets = append(r.Snippets, snippet{Field: field, Parts: markParts(f)})
			}
		}
		rows = append(rows, r)
	}
	base := c.Context().QueryArgs()
	link := func(set map[string]string) string {
		v := url.Values{}
		base.VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
		for k, val := range set {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		return "/staff/search?" + v.Encode()
	}
	var facets []facetView
	for _, name := range ticketsearch.AllFacets {
		counts := res.Facets[name]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Name: name}
		param := name
		for val, n := range counts {
			label := val
			switch name {
			case search.FacetAgency:
				if a := cat.Agency(val); a != nil {
					label = a.Name
				}
			case search.FacetCategory:
				if ct := cat.Category(val); ct != nil {
					label = ct.Name
				}
			case search.FacetStatus:
				label = s.t(c, "status."+val)
			}
			active := slices.Contains(strings.Split(c.Query(param), ","), val)
			href := link(map[string]string{param: val, "offset": ""})
			if active {
				href = link(map[string]string{param: "", "offset": ""})
			}
			fv.Values = append(fv.Values, facetValue{Value: val, Label: label, Count: n, Href: href, Active: active})
		}
		sort.Slice(fv.Values, func(i, j int) bool {
			if fv.Values[i].Count != fv.Values[j].Count {
				return fv.Values[i].Count > fv.Values[j].Count
			}
			return fv.Values[i].Label < fv.Values[j].Label
		})
		facets = append(facets, fv)
	}
	data["Searched"] = true
	data["Rows"] = rows
	data["Total"] = res.Total
	data["Facets"] = facets
	data["From"], data["To"] = min(res.Offset+1, res.Total), min(res.Offset+len(rows), res.Total)
	if res.Offset > 0 {
		data["Prev"] = link(map[string]string{"offset": strconv.Itoa(max(res.Offset-res.Limit, 0))})
	}
	if res.Offset+len(rows) < res.Total && res.Offset+res.Limit <= ticketsearch.MaxOffset {
		data["Next"] = link(map[string]string{"offset": strconv.Itoa(res.Offset + res.Limit)})
	}
}

type similarRow struct {
	TrackingCode, Title, Status, Topic string
	CreatedAt                          time.Time
}

// similarPage: GET /staff/tickets/:code/similar — the likely duplicates
// intake found for a ticket, its topic, and the forms to group them.
func (s *Server) similarPage(c *fiber.Ctx) error {
	u := userOf(c)
	code, ok := desk.NormalizeTrackingCode(c.Params("code"))
	if !ok {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	t, err := s.Store.TicketByCode(c.UserContext(), u, code)
	if err != nil {
		return err
	}
	got, err := s.Store.TicketsByIDs(c.UserContext(), t.Similar)
	if err != nil {
		return err
	}
	var rows []similarRow
	for _, id := range t.Similar {
		if st := got[id]; st != nil && store.Visible(u, st) {
			rows = append(rows, similarRow{TrackingCode: st.TrackingCode, Title: st.Title, Status: string(st.Status), Topic: st.Topic, CreatedAt: st.CreatedAt})
		}
	}
	data := fiber.Map{"Ticket": t, "Similar": rows}
	if t.Topic != "" {
		if tp, _, err := s.Topics.Get(c.UserContext(), u, t.Topic); err == nil {
			data["Topic"] = tp
		}
	}
	return s.render(c, "similar", s.t(c, "similar.title")+" "+t.TrackingCode, data)
}

// topicCreatePost: POST /staff/topics (title, codes…) → the topic page.
func (s *Server) topicCreatePost(c *fiber.Ctx) error {
	tp, err := s.Topics.Create(c.UserContext(), userOf(c), c.FormValue("title"), formValues(c, "codes"))
	if err != nil {
		return s.topicError(c, err)
	}
	return c.Redirect("/staff/topics/"+url.PathEscape(tp.ID), fiber.StatusSeeOther)
}

// topicAddPost: POST /staff/topics/:id/tickets (codes…).
func (s *Server) topicAddPost(c *fiber.Ctx) error {
	tp, err := s.Topics.Add(c.UserContext(), userOf(c), c.Params("id"), formValues(c, "codes"))
	if err != nil {
		return s.topicError(c, err)
	}
	return c.Redirect("/staff/topics/"+url.PathEscape(tp.ID), fiber.StatusSeeOther)
}

// topicAnswerPost: POST /staff/topics/:id/answer (body).
func (s *Server) topicAnswerPost(c *fiber.Ctx) error {
	id := c.Params("id")
	res, err := s.Topics.Answer(c.UserContext(), userOf(c), id, c.FormValue("body"))
	if err != nil {
		if desk.ErrorCode(err) == desk.EINVALID {
			return s.renderTopic(c, id, fiber.Map{"Error": desk.ErrorMessage(err), "Body": c.FormValue("body")})
		}
		return err
	}
	return s.renderTopic(c, id, fiber.Map{"Result": res})
}

// topicPage: GET /staff/topics/:id.
func (s *Server) topicPage(c *fiber.Ctx) error {
	return s.renderTopic(c, c.Params("id"), fiber.Map{})
}

func (s *Server) renderTopic(c *fiber.Ctx, id string, data fiber.Map) error {
	tp, ts, err := s.Topics.Get(c.UserContext(), userOf(c), id)
	if err != nil {
		return err
	}
	open := 0
	for _, t := range ts {
		if t.Open() {
			open++
		}
	}
	data["Topic"], data["Tickets"], data["Open"] = tp, ts, open
	if _, ok := data["Body"]; !ok {
		data["Body"] = ""
	}
	if data["Error"] != nil {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "topic", tp.Title, data)
}

// topicError shows a refused topic change on the error page; not-found
// and forbidden keep their own status.
func (s *Server) topicError(c *fiber.Ctx, err error) error {
	s.Log.Info("topic change refused", "user", userOf(c).ID, "err", err)
	return err
}

// formValues returns every value of a repeated form field.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	if f, err := c.MultipartForm(); err == nil && f != nil {
		return f.Value[name]
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == name {
			out = append(out, string(v))
		}
	})
	return out
}
