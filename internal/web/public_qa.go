package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
)

// The public Q&A (issue 6): answers a lead approved for publication,
// personal data masked, listed by agency and category. Public and
// rate-limited per IP (the tracking rate, under its own name so the two
// do not share a budget). The pages read the small published_qa
// collection, never the tickets (store/citizen.go).

// qaPageSize is how many entries a page lists.
const qaPageSize = 20

// qaRule is the public Q&A rate limit: the tracking limit's rate.
func (s *Server) qaRule() ratelimit.Rule {
	return ratelimit.Rule{Name: "qa", Limit: s.Limits.Track.Limit, Window: s.Limits.Track.Window}
}

// qaLimit is s.limit with the Q&A rule, built per request because App()
// runs before every field is final in some tests.
func (s *Server) qaLimit(c *fiber.Ctx) error { return s.limit(s.qaRule())(c) }

// qaItem is one entry as the pages and the API show it.
type qaItem struct {
	ID           string    `json:"id"`
	Agency       agencyRef `json:"agency"`
	Category     agencyRef `json:"category"`
	Question     string    `json:"question"`
	Answer       string    `json:"answer"`
	AnsweredAt   time.Time `json:"answered_at"`
	PublishedAt  time.Time `json:"published_at"`
	QuestionHead string    `json:"-"` // the question's first lines, for the list
}

func (s *Server) qaItem(c *fiber.Ctx, q *store.PublishedQA) qaItem {
	cat := s.Catalog.Catalog()
	it := qaItem{ID: q.ID, Question: q.Question, Answer: q.Answer, AnsweredAt: q.AnsweredAt, PublishedAt: q.PublishedAt,
		Agency: agencyRef{Code: q.Agency, Name: q.Agency}, Category: agencyRef{Code: q.Category, Name: s.categoryName(c, q.Category)}}
	if a := cat.Agency(q.Agency); a != nil {
		it.Agency.Name = a.Name
		if langOf(c) == "en" && a.NameEN != "" {
			it.Agency.Name = a.NameEN
		}
	}
	it.QuestionHead = clipRunes(q.Question, 280)
	return it
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}

// qaQuery reads and checks the listing's filters and page.
func (s *Server) qaQuery(c *fiber.Ctx) (store.QAFilter, int, error) {
	cat := s.Catalog.Catalog()
	f := store.QAFilter{Agency: strings.TrimSpace(c.Query("agency")), Category: strings.TrimSpace(c.Query("category")), Limit: qaPageSize}
	fields := map[string]string{}
	if f.Agency != "" && cat.Agency(f.Agency) == nil {
		fields["agency"] = "Cơ quan không tồn tại (unknown agency)."
	}
	if f.Category != "" && cat.Category(f.Category) == nil {
		fields["category"] = "Lĩnh vực không tồn tại (unknown category)."
	}
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			fields["page"] = "Số trang không hợp lệ (invalid page)."
		}
		page = n
	}
	if len(fields) > 0 {
		msg := "Bộ lọc không hợp lệ (invalid filter)."
		for _, m := range fields {
			msg = m
		}
		return f, 0, &desk.Error{Code: desk.EINVALID, Message: msg, Fields: fields}
	}
	f.Offset = (page - 1) * qaPageSize
	return f, page, nil
}

type qaOption struct {
	Value, Label string
	Selected     bool
}

// qaList reads one page of the published Q&A for the page and the API.
func (s *Server) qaList(c *fiber.Ctx) (store.QAFilter, int, []qaItem, bool, error) {
	f, page, err := s.qaQuery(c)
	if err != nil {
		return f, 0, nil, false, err
	}
	rows, more, err := s.Citizen.QA(c.UserContext(), f)
	if err != nil {
		return f, 0, nil, false, err
	}
	items := make([]qaItem, len(rows))
	for i := range rows {
		items[i] = s.qaItem(c, &rows[i])
	}
	return f, page, items, more, nil
}

// publicQA: GET /qa, the listing with agency and category filters.
func (s *Server) publicQA(c *fiber.Ctx) error {
	f, page, items, more, err := s.qaList(c)
	if err != nil {
		return err
	}
	cat := s.Catalog.Catalog()
	en := langOf(c) == "en"
	agencies := []qaOption{}
	for _, a := range cat.Agencies {
		name := a.Name
		if en && a.NameEN != "" {
			name = a.NameEN
		}
		if a.Parent != "" {
			name = "— " + name
		}
		agencies = append(agencies, qaOption{Value: a.Code, Label: name, Selected: a.Code == f.Agency})
	}
	categories := []qaOption{}
	for _, k := range cat.Categories {
		categories = append(categories, qaOption{Value: k.Code, Label: s.categoryName(c, k.Code), Selected: k.Code == f.Category})
	}
	link := func(p int) string {
		q := url.Values{}
		if f.Agency != "" {
			q.Set("agency", f.Agency)
		}
		if f.Category != "" {
			q.Set("category", f.Category)
		}
		if p > 1 {
			q.Set("page", strconv.Itoa(p))
		}
		if len(q) == 0 {
			return "/qa"
		}
		return "/qa?" + q.Encode()
	}
	data := fiber.Map{"Items": items, "Agencies": agencies, "Categories": categories, "Page": page}
	if page > 1 {
		data["PrevURL"] = link(page - 1)
	}
	if more {
		data["NextURL"] = link(page + 1)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return s.render(c, "qa", s.t(c, "qa.title"), data)
}

// qaID reports whether id has the shape of a Q&A id ("hd-…"). Anything
// else goes on to later routes, so /qa/search (issue 7) and the like work
// in whatever order the routes are registered.
func qaID(id string) bool { return strings.HasPrefix(id, "hd-") && len(id) <= 40 }

// publicQAEntry: GET /qa/:id, one entry.
func (s *Server) publicQAEntry(c *fiber.Ctx) error {
	if !qaID(c.Params("id")) {
		return c.Next()
	}
	q, err := s.Citizen.QAEntry(c.UserContext(), clone(c.Params("id")))
	if err != nil {
		return err
	}
	it := s.qaItem(c, q)
	return s.render(c, "qa_entry", s.t(c, "qa.entry"), fiber.Map{"Item": it})
}

// apiQA: GET /api/v1/qa?agency=&category=&page=, public JSON.
func (s *Server) apiQA(c *fiber.Ctx) error {
	f, page, items, more, err := s.qaList(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entries": items, "page": page, "limit": f.Limit, "more": more})
}

// apiQAEntry: GET /api/v1/qa/:id.
func (s *Server) apiQAEntry(c *fiber.Ctx) error {
	if !qaID(c.Params("id")) {
		return c.Next()
	}
	q, err := s.Citizen.QAEntry(c.UserContext(), clone(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(s.qaItem(c, q))
}
