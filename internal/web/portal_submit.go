package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/spam"
)

type submitForm struct {
	Name, Phone, Email, Province, Category, Title, Body string
	// FormTS is the signed time the form was first shown (spam.
	// SignFormTime); a re-rendered form keeps it, so correcting one field
	// quickly does not look like a bot.
	FormTS string
}

// portalUnavailable is the portal's word for a store that did not answer.
const portalUnavailable = "Hệ thống tạm thời chưa lưu được phản ánh của bạn; nội dung vẫn còn trên trang này, vui lòng bấm Gửi lại sau ít giây (bấm lại không tạo phản ánh trùng). " +
	"(We could not save your submission just now; your text is still here — press Send again in a few seconds; sending again makes no duplicate.)"

func (s *Server) renderSubmit(c *fiber.Ctx, f submitForm, key string, errs map[string]string, msg string) error {
	cat := s.Catalog.Catalog()
	if f.FormTS == "" {
		f.FormTS = spam.SignFormTime(s.Secret, s.Clock.Now())
	}
	if key == "" {
		// A key per rendered form: a double click or a resent POST makes
		// one ticket, not two.
		key = auth.NewToken()
	}
	return s.render(c, "submit", s.t(c, "form.title"), fiber.Map{
		"Form": f, "Key": key, "Errors": errs, "Message": msg,
		"Categories": cat.Categories, "Provinces": s.Catalog.Provinces(),
	})
}

// submitForm: GET /submit.
func (s *Server) submitForm(c *fiber.Ctx) error {
	return s.renderSubmit(c, submitForm{Category: c.Query("category")}, "", nil, "")
}

// submitPost: POST /submit. Success redirects to the confirmation page
// (post/redirect/get), failure re-renders the form with field messages and
// the citizen's text intact.
func (s *Server) submitPost(c *fiber.Ctx) error {
	// Copy: Fiber reuses the request buffer once the handler returns.
	f := submitForm{
		Name: c.FormValue("name"), Phone: c.FormValue("phone"), Email: c.FormValue("email"),
		Province: c.FormValue("province"), Category: c.FormValue("category"),
		Title: c.FormValue("title"), Body: c.FormValue("body"),
	}
	f = submitForm{Name: clone(f.Name), Phone: clone(f.Phone), Email: clone(f.Email), Province: clone(f.Province),
		Category: clone(f.Category), Title: clone(f.Title), Body: clone(f.Body), FormTS: clone(c.FormValue("form_ts"))}
	key := clone(c.FormValue("idempotency_key"))
	// An unverifiable token (stale tab, tampering) means "age unknown",
	// never "bot"; the form re-renders with a fresh one.
	age, ok := spam.VerifyFormTime(s.Secret, f.FormTS, s.Clock.Now())
	if !ok {
		f.FormTS = ""
	}
	if err := s.limitSender(c, f.Phone, f.Email); err != nil {
		// Re-render so that the citizen's text is not lost; Retry-After is set.
		c.Status(fiber.StatusTooManyRequests)
		msg := desk.ErrorMessage(err)
		return s.renderSubmit(c, f, key, map[string]string{"_": msg}, msg)
	}
	rec, err := s.Intake.Accept(c.UserContext(), intake.Input{
		Channel: desk.ChannelWeb, IdempotencyKey: key,
		Name: f.Name, Phone: f.Phone, Email: f.Email, Province: f.Province, Category: f.Category,
		Title: f.Title, Body: f.Body, Honeypot: clone(c.FormValue("website")), RemoteIP: c.IP(),
		FormAge: age,
	})
	if desk.ErrorCode(err) == desk.EUNAVAILABLE {
		// The store did not answer: the form comes back with the citizen's
		// text and the same idempotency key, so sending it again cannot
		// make a second submission.
		c.Status(fiber.StatusServiceUnavailable)
		c.Set(fiber.HeaderRetryAfter, unavailableRetryAfter)
		msg := portalUnavailable
		return s.renderSubmit(c, f, key, map[string]string{"_": msg}, msg)
	}
	if err != nil {
		var de *desk.Error
		if e, ok := err.(*desk.Error); ok && e.Code == desk.EINVALID {
			de = e
		}
		if desk.ErrorCode(err) == desk.EKEYREUSED {
			// The hidden key went with other text (a form sent, then
			// edited and sent again): keep the text, and a fresh key
			// lets the citizen send it as a new submission.
			c.Status(fiber.StatusUnprocessableEntity)
			msg := s.t(c, "form.key_reused")
			return s.renderSubmit(c, f, "", map[string]string{"_": msg}, msg)
		}
		if de == nil {
			return err
		}
		s.reject(c, "invalid")
		s.Log.Info("portal submission refused", "ip", c.IP(), "fields", fieldNames(err))
		c.Status(fiber.StatusUnprocessableEntity)
		errs := de.Fields
		if errs == nil {
			errs = map[string]string{"_": de.Message}
		}
		return s.renderSubmit(c, f, key, errs, "")
	}
	return c.Redirect("/submitted/"+rec.TrackingCode, fiber.StatusSeeOther)
}

// submitted: GET /submitted/:code, the confirmation page.
func (s *Server) submitted(c *fiber.Ctx) error {
	code, ok := desk.NormalizeTrackingCode(c.Params("code"))
	if !ok {
		return desk.Errorf(desk.ENOTFOUND, "Mã số không hợp lệ (invalid tracking code).")
	}
	return s.render(c, "submitted", s.t(c, "done.title"), fiber.Map{"Code": code})
}

func clone(s string) string { return string([]byte(s)) }
