package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// trackView is the public face of a ticket: no names, no phone, no email,
// no body, no staff names. It is the same for the page and the API.
type trackView struct {
	TrackingCode string          `json:"tracking_code"`
	Status       string          `json:"status"`
	Category     string          `json:"category"`
	CategoryName string          `json:"-"`
	Agency       *agencyRef      `json:"agency"`
	AgencyName   string          `json:"-"`
	CreatedAt    time.Time       `json:"created_at"`
	DueAt        *time.Time      `json:"due_at"`
	Timeline     []timelineEntry `json:"timeline"`
	// Answers are the agency's public messages, personal data masked
	// (issue 6; the proven citizen sees them whole on the page).
	Answers []publicAnswer `json:"answers"`
}

type agencyRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type timelineEntry struct {
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Detail string    `json:"detail,omitempty"`
}

// lookupTrack finds the public view for a code. A submission still in the
// queue shows as "received"; an unknown or malformed code is ENOTFOUND.
func (s *Server) lookupTrack(c *fiber.Ctx, raw string) (*trackView, error) {
	code, ok := desk.NormalizeTrackingCode(raw)
	if !ok {
		return nil, desk.Errorf(desk.ENOTFOUND, "Mã số không đúng định dạng (ví dụ PA-7KQ2M-XH4RT) (malformed tracking code).")
	}
	ctx := c.UserContext()
	t, err := s.Store.PublicTicket(ctx, code)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		sub, serr := s.Store.SubmissionByCode(ctx, code)
		if serr != nil {
			return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phản ánh với mã số này (no feedback has this code).")
		}
		return &trackView{TrackingCode: sub.TrackingCode, Status: "received", Category: sub.Category,
			CategoryName: s.categoryName(c, sub.Category), CreatedAt: sub.ReceivedAt,
			Timeline: []timelineEntry{{At: sub.ReceivedAt, Type: desk.EventReceived}}}, nil
	}
	if err != nil {
		return nil, err
	}
	c.Locals(localTrackTicket, t) // issue 6: the citizen part of the page (track_citizen.go)
	return s.publicView(c, t), nil
}

func (s *Server) publicView(c *fiber.Ctx, t *desk.Ticket) *trackView {
	cat := s.Catalog.Catalog()
	v := &trackView{TrackingCode: t.TrackingCode, Status: string(t.Status), Category: t.Category,
		CategoryName: s.categoryName(c, t.Category), CreatedAt: t.CreatedAt, Timeline: []timelineEntry{}}
	if t.Status != desk.StatusQuarantined {
		if t.Agency != "" {
			if a := cat.Agency(t.Agency); a != nil {
				v.Agency = &agencyRef{Code: a.Code, Name: a.Name}
				v.AgencyName = a.Name
			}
		}
		if !t.DueAt.IsZero() {
			due := t.DueAt
			v.DueAt = &due
		}
	}
	v.Answers = publicAnswers(t) // issue 6 (track_citizen.go)
	for _, e := range t.Events {
		if !e.Public {
			continue
		}
		entry := timelineEntry{At: e.At, Type: e.Type}
		switch e.Type {
		case desk.EventRouted:
			if a := cat.Agency(e.To); a != nil {
				entry.Detail = a.Name
			}
		case desk.EventReturned, desk.EventTransferred:
			// Agencies only: never who moved it or why (staff names and
			// internal reasons stay on the staff side).
			from, to := e.From, e.To
			if a := cat.Agency(from); a != nil {
				from = a.Name
			}
			if a := cat.Agency(to); a != nil {
				to = a.Name
			}
			entry.Detail = from + " → " + to
		case desk.EventClockResumed:
			if d, err := time.Parse(time.RFC3339, e.To); err == nil {
				entry.Detail = d.In(hcm).Format("02/01/2006")
			}
		case desk.EventDueSet:
			if d, err := time.Parse(time.RFC3339, e.To); err == nil {
				entry.Detail = d.In(hcm).Format("02/01/2006")
			}
		}
		v.Timeline = append(v.Timeline, entry)
	}
	return v
}

func (s *Server) categoryName(c *fiber.Ctx, code string) string {
	k := s.Catalog.Catalog().Category(code)
	if k == nil {
		return code
	}
	if langOf(c) == "en" && k.NameEN != "" {
		return k.NameEN
	}
	return k.Name
}

// apiTrack: GET /api/v1/track/:code, public.
func (s *Server) apiTrack(c *fiber.Ctx) error {
	v, err := s.lookupTrack(c, c.Params("code"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

// trackPage: GET /track and /track/:code, the public tracking page.
func (s *Server) trackPage(c *fiber.Ctx) error {
	raw := c.Params("code")
	if raw == "" {
		raw = c.Query("code")
	}
	data := fiber.Map{"Code": raw}
	if raw != "" {
		if _, ok := desk.NormalizeTrackingCode(raw); !ok {
			data["Error"] = "track.badcode"
			c.Status(fiber.StatusNotFound)
		} else if v, err := s.lookupTrack(c, raw); err != nil {
			if desk.ErrorCode(err) != desk.ENOTFOUND {
				return err
			}
			data["Error"] = "track.notfound"
			c.Status(fiber.StatusNotFound)
		} else {
			data["View"] = v
			data["Code"] = v.TrackingCode
			data["Pending"] = v.Status == "received"
			s.citizenTrack(c, data) // issue 6: answers, proof, reply and rating forms (track_citizen.go)
		}
	}
	return s.render(c, "track", s.t(c, "track.title"), data)
}
