package web

import (
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/citizen"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/mask"
	"github.com/civicdesk/civicdesk/templates"
)

// The citizen's side of the tracking page (issue 6): prove ownership,
// reply with an optional document, rate the answer. The forms post to
// /track/:code/...; success redirects (303) back to the tracking page with
// a notice, a refusal renders the tracking page again with the message
// next to its form and the HTTP status of the error.
//
// The proof lives in a cookie named after the tracking code, HttpOnly,
// SameSite=Lax, Path=/track, signed by internal/citizen and bound to that
// one code. It is not a staff session and nothing on the staff side reads
// it.

const (
	cookieCitizenPrefix = "cd_cz_"
	localTrackTicket    = "track_ticket" // the ticket lookupTrack read, for the citizen part of the page
	localCitizenFlash   = "cz_flash"
)

func citizenCookie(code string) string { return cookieCitizenPrefix + code }

// citizenOwner is the proven owner of code from the request's cookie, or nil.
func (s *Server) citizenOwner(c *fiber.Ctx, code string) *citizen.Owner {
	if s.Citizen == nil {
		return nil
	}
	n, ok := desk.NormalizeTrackingCode(code)
	if !ok {
		return nil
	}
	return s.Citizen.CheckSession(n, c.Cookies(citizenCookie(n)))
}

func (s *Server) setCitizenCookie(c *fiber.Ctx, o *citizen.Owner) {
	v, _ := s.Citizen.Session(o)
	// MaxAge rather than Expires: the browser counts it from now, so the
	// cookie lives its two hours whatever the server's clock says.
	c.Cookie(&fiber.Cookie{Name: citizenCookie(o.Code()), Value: v, Path: "/track", MaxAge: int(citizen.SessionTTL / time.Second),
		HTTPOnly: true, SameSite: "Lax", Secure: s.SecureTLS})
}

// czFlash is a refusal to show next to its form.
type czFlash struct {
	Form    string // verify, link, reply, rate
	Error   string
	Fields  map[string]string
	Body    string
	Comment string
}

// trackBack answers a citizen form: 303 to the tracking page on success,
// the page again with the message on a refusal.
func (s *Server) trackBack(c *fiber.Ctx, form string, err error, done string) error {
	raw := clone(c.Params("code"))
	code, ok := desk.NormalizeTrackingCode(raw)
	if !ok {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phản ánh với mã số này (no feedback has this code).")
	}
	if err == nil {
		to := "/track/" + url.PathEscape(code)
		if done != "" {
			to += "?done=" + done
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	switch desk.ErrorCode(err) {
	case desk.ENOTFOUND, desk.EINTERNAL:
		return err
	}
	var le *citizen.LimitError
	if errors.As(err, &le) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, le.RetryAfter)))
	}
	f := &czFlash{Form: form, Error: desk.ErrorMessage(err), Body: c.FormValue("body"), Comment: c.FormValue("comment")}
	var de *desk.Error
	if errors.As(err, &de) {
		f.Fields = de.Fields
	}
	c.Locals(localCitizenFlash, f)
	c.Locals(localFormPage, "/track/"+url.PathEscape(code))
	c.Status(statusOf(err))
	return s.trackPage(c)
}

// trackVerify: POST /track/:code/verify, field phone_last4.
func (s *Server) trackVerify(c *fiber.Ctx) error {
	o, err := s.Citizen.VerifyPhone(c.UserContext(), clone(c.Params("code")), c.FormValue("phone_last4"), c.IP())
	if err == nil {
		s.setCitizenCookie(c, o)
	}
	return s.trackBack(c, "verify", err, "verified")
}

// trackLink: POST /track/:code/link, mail a one-time link. The answer is
// the same whether or not the ticket has an email address.
func (s *Server) trackLink(c *fiber.Ctx) error {
	if s.MailOff {
		// No relay: no link could leave, so none is made and the page
		// claims none; it offers the phone proof instead.
		return s.trackBack(c, "link", nil, "")
	}
	_, err := s.Citizen.RequestLink(c.UserContext(), clone(c.Params("code")), c.IP())
	return s.trackBack(c, "link", err, "link")
}

// trackAuthConfirm: GET /track/:code/auth/:token shows a button that
// redeems the link, rather than redeeming it: mail scanners and link
// previews open links on their own, and a GET that spent the single use
// would leave the citizen with a dead link.
func (s *Server) trackAuthConfirm(c *fiber.Ctx) error {
	c.Locals(localCitizenFlash, &czFlash{Form: "confirm"})
	return s.trackPage(c)
}

// trackAuth: POST /track/:code/auth/:token, redeem a one-time link.
func (s *Server) trackAuth(c *fiber.Ctx) error {
	o, err := s.Citizen.RedeemLink(c.UserContext(), clone(c.Params("code")), clone(c.Params("token")), c.IP())
	if err == nil {
		s.setCitizenCookie(c, o)
	}
	return s.trackBack(c, "verify", err, "verified")
}

// trackReply: POST /track/:code/reply, multipart: body and optional file.
func (s *Server) trackReply(c *fiber.Ctx) error {
	code := clone(c.Params("code"))
	in := citizen.ReplyInput{Body: c.FormValue("body")}
	// A form without a file part (or not multipart at all) is a text reply.
	if form, ferr := c.MultipartForm(); ferr == nil && len(form.File["file"]) > 0 {
		fh := form.File["file"][0]
		if fh.Size > 0 || fh.Filename != "" {
			f, err := fh.Open()
			if err != nil {
				s.Log.Info("citizen reply: unreadable upload", "err", err, "ip", c.IP())
				return s.trackBack(c, "reply", desk.Errorf(desk.EINVALID, "Không đọc được tệp gửi kèm (the upload could not be read)."), "")
			}
			// The request is already bounded by MaxBody; the extra byte
			// lets the service tell "exactly the limit" from "over it".
			data, err := io.ReadAll(io.LimitReader(f, int64(s.MaxBody)+1))
			f.Close()
			if err != nil {
				return err
			}
			in.File = &citizen.Upload{Filename: fh.Filename, Data: data}
		}
	}
	_, err := s.Citizen.Reply(c.UserContext(), s.citizenOwner(c, code), code, in, c.IP())
	return s.trackBack(c, "reply", err, "replied")
}

// trackRate: POST /track/:code/rate, fields score (1–5) and comment.
func (s *Server) trackRate(c *fiber.Ctx) error {
	code := clone(c.Params("code"))
	score, err := strconv.Atoi(strings.TrimSpace(c.FormValue("score")))
	if err != nil {
		score = 0 // refused by the service with the field message
	}
	t, err := s.Citizen.Rate(c.UserContext(), s.citizenOwner(c, code), code, score, c.FormValue("comment"), c.IP())
	if err == nil && lastEventIs(t, citizen.EventReopenedByRating) {
		// The citizen should know their low rating sent the case back
		// to the agency, not only that it was counted.
		return s.trackBack(c, "rate", nil, "reopened")
	}
	return s.trackBack(c, "rate", err, "rated")
}

// czMessage is one message as the tracking page shows it: who (the
// agency or the citizen, never a staff name), when, the text, files.
type czMessage struct {
	At      time.Time
	FromYou bool
	Body    string
	Files   []desk.Attachment
}

// czView is the citizen part of the tracking page.
type czView struct {
	Verified  bool
	Messages  []czMessage
	CanReply  bool
	CanRate   bool
	Rated     *desk.Rating
	Awaiting  bool
	MaxUpload string
	// ReopenDays is the window in which a low rating reopens (0: never).
	ReopenDays int
	Done       string
	Flash      *czFlash
	Token      string // the one-time link being confirmed
	// MailOff: no relay, so the page offers the phone proof (and the
	// hotline) instead of an emailed link.
	MailOff bool
}

var czDone = map[string]string{"verified": "cz.done.verified", "link": "cz.done.link", "replied": "cz.done.replied", "rated": "cz.done.rated", "reopened": "cz.done.reopened"}

// citizenTrack adds the citizen part to the tracking page's data. Called
// by trackPage once the ticket is found.
func (s *Server) citizenTrack(c *fiber.Ctx, data fiber.Map) {
	if s.Citizen == nil {
		return
	}
	t, _ := c.Locals(localTrackTicket).(*desk.Ticket)
	if t == nil || t.Status == desk.StatusQuarantined {
		return
	}
	cz := &czView{Awaiting: t.Status == desk.StatusAwaitingCitizen, MaxUpload: uploadText(langOf(c), s.Citizen.MaxUpload), ReopenDays: s.Citizen.ReopenDays}
	cz.Flash, _ = c.Locals(localCitizenFlash).(*czFlash)
	if cz.Flash != nil && cz.Flash.Form == "confirm" {
		cz.Token = clone(c.Params("token"))
	}
	cz.Done = czDone[c.Query("done")]
	cz.MailOff = s.MailOff
	if cz.Done == czDone["reopened"] && t.Status != desk.StatusInProgress {
		// Staff have moved on since (answered again, closed): the notice
		// would no longer be true.
		cz.Done = czDone["rated"]
	}
	if s.MailOff && cz.Done == czDone["link"] {
		cz.Done = ""
	}
	o := s.citizenOwner(c, t.TrackingCode)
	cz.Verified = o != nil
	names := citizen.MaskOptions(t)
	for _, m := range t.Messages {
		switch {
		case m.Kind == desk.MessageReply:
			body := m.Body
			if !cz.Verified {
				// Anyone with the code sees the answers, with personal
				// data masked; the proven citizen sees them whole.
				body = mask.Mask(body, names)
			}
			cz.Messages = append(cz.Messages, czMessage{At: m.At, Body: body})
		case m.Kind == desk.MessageCitizen && m.Public() && cz.Verified:
			cz.Messages = append(cz.Messages, czMessage{At: m.At, FromYou: true, Body: m.Body, Files: m.Attachments})
		}
	}
	if cz.Verified {
		cz.CanReply = t.Status != desk.StatusClosed
		answered := t.Status == desk.StatusAnswered || t.Status == desk.StatusResolved || t.Status == desk.StatusClosed
		cz.CanRate = answered && (t.Rating == nil || t.Rating.At.Before(t.AnsweredAt))
		cz.Rated = t.Rating
	}
	data["CZ"] = cz
}

// lastEventIs reports whether the last event of t is of type typ.
func lastEventIs(t *desk.Ticket, typ string) bool {
	return t != nil && len(t.Events) > 0 && t.Events[len(t.Events)-1].Type == typ
}

func uploadText(lang string, n int) string {
	if n <= 0 {
		n = citizen.DefaultMaxUpload
	}
	return templates.Size(lang, int64(n))
}

// publicAnswer is an agency message in the public tracking view.
type publicAnswer struct {
	At   time.Time `json:"at"`
	Body string    `json:"body"`
}

// publicAnswers are t's public staff messages with personal data masked;
// never nil, so the API always has the field.
func publicAnswers(t *desk.Ticket) []publicAnswer {
	out := []publicAnswer{}
	if t.Status == desk.StatusQuarantined {
		return out
	}
	opt := citizen.MaskOptions(t)
	for _, m := range t.Messages {
		if m.Kind == desk.MessageReply {
			out = append(out, publicAnswer{At: m.At, Body: mask.Mask(m.Body, opt)})
		}
	}
	return out
}
