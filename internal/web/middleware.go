package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/templates"
)

const (
	cookieLang    = "lang"
	cookieCSRF    = "cd_csrf"
	cookieSession = "cd_session"
	localUser     = "user"
	localToken    = "token"
	localCSRF     = "csrf"
	localViaToken = "via_token" // #6 AU
)

// langOf picks the page language: the cookie set by /lang/:lang, else
// Vietnamese.
func langOf(c *fiber.Ctx) string {
	if c.Cookies(cookieLang) == "en" {
		return "en"
	}
	return "vi"
}

// csrf implements a signed double-submit token. A random nonce lives in an
// HttpOnly cookie; forms carry HMAC(secret, nonce). A cross-site form can
// neither read the cookie nor compute the MAC, and nothing is stored on the
// server, so any web process can check any form.
func (s *Server) csrf(c *fiber.Ctx) error {
	nonce := c.Cookies(cookieCSRF)
	if len(nonce) != 43 {
		nonce = auth.NewToken()
		c.Cookie(&fiber.Cookie{Name: cookieCSRF, Value: nonce, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.SecureTLS})
	}
	want := s.csrfToken(nonce)
	c.Locals(localCSRF, want)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	got := c.FormValue("_csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		s.Log.Warn("csrf token missing or wrong", "path", c.Path(), "ip", c.IP())
		return desk.Errorf(desk.EFORBIDDEN, "Biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang và gửi lại. (The form expired or is invalid; reload the page and try again.)")
	}
	return c.Next()
}

func (s *Server) csrfToken(nonce string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("csrf:" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// webSession loads the signed-in user from the session cookie, if any.
func (s *Server) webSession(c *fiber.Ctx) error {
	if tok := c.Cookies(cookieSession); tok != "" {
		// API tokens are for scripts on the API; a cookie holding one
		// is ignored (#6 AU).
		if u, sess, err := s.Auth.Resolve(c.UserContext(), tok); err == nil && sess.Kind != store.KindToken {
			c.Locals(localUser, u)
			c.Locals(localToken, tok)
		}
	}
	return c.Next()
}

// requireUser sends anonymous visitors to the login page.
func (s *Server) requireUser(c *fiber.Ctx) error {
	if userOf(c) == nil {
		return c.Redirect("/staff/login", fiber.StatusSeeOther)
	}
	return c.Next()
}

// apiAuth accepts only "Authorization: Bearer <token>". Cookies are
// ignored on the API, which is what makes the API immune to CSRF.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập: gửi Authorization: Bearer <token> lấy từ POST /api/v1/login (authentication required).")
	}
	u, sess, err := s.Auth.Resolve(c.UserContext(), strings.TrimSpace(tok))
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	c.Locals(localViaToken, sess.Kind == store.KindToken) // #6 AU: tokens cannot mint tokens
	return c.Next()
}

func userOf(c *fiber.Ctx) *desk.User {
	u, _ := c.Locals(localUser).(*desk.User)
	return u
}

// limit applies a per-IP rate limit shared through Redis. When Redis is
// unreachable the request goes through: refusing citizens because the
// limiter is down would be worse than a burst of spam, which the spam
// step still catches.
func (s *Server) limit(rule ratelimit.Rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.Limiter == nil || rule.Limit <= 0 {
			return c.Next()
		}
		d, err := s.Limiter.Allow(c.UserContext(), rule, c.IP())
		if err != nil {
			s.Log.Warn("rate limiter unavailable; letting request through", "rule", rule.Name, "err", err)
			return c.Next()
		}
		if !d.Allowed {
			secs := int(d.RetryAfter / time.Second)
			if secs < 1 {
				secs = 1
			}
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
			s.Log.Warn("rate limited", "rule", rule.Name, "ip", c.IP(), "retry_after_s", secs)
			return desk.Errorf(desk.ELIMITED, "Bạn đã gửi quá nhiều yêu cầu; vui lòng thử lại sau %d giây. (Too many requests; retry in %d s.)", secs, secs)
		}
		return c.Next()
	}
}

// render writes a page with the common Page fields filled in.
func (s *Server) render(c *fiber.Ctx, page, title string, data any) error {
	p := &templates.Page{Lang: langOf(c), Title: title, Path: pageURL(c), Data: data, Contact: s.Contact}
	p.CSRF, _ = c.Locals(localCSRF).(string)
	if u := userOf(c); u != nil {
		p.UserName, p.UserRole = u.Name, string(u.Role)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.pages.Render(c.Response().BodyWriter(), page, p)
}

// localFormPage is the GET URL of the page a form was posted from, set by
// a handler that answers a refused POST with that page again.
const localFormPage = "form_page"

// pageURL is where the language switch leads back to: the page as the
// user sees it. For a GET that is the path with its query string; a
// refused POST re-renders its form page at the POST URL, and going "back"
// there would be a GET of a form endpoint, so it is the form's page: the
// one the handler names, else the same-origin Referer (the policy is
// same-origin, so the browser sends it whole), else the path.
func pageURL(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.OriginalURL()
	}
	if u, _ := c.Locals(localFormPage).(string); u != "" {
		return u
	}
	if r, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && r.Host == c.Hostname() && r.Path != "" {
		if back := r.RequestURI(); localPath(back) {
			return back
		}
	}
	return c.Path()
}

// setLang stores the language choice and goes back to a local page.
func (s *Server) setLang(c *fiber.Ctx) error {
	lang := "vi"
	if c.Params("lang") == "en" {
		lang = "en"
	}
	c.Cookie(&fiber.Cookie{Name: cookieLang, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", Secure: s.SecureTLS})
	next := clone(c.Query("next", "/"))
	if !localPath(next) {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// localPath reports whether next is a path on this host and nothing a
// browser could read as another origin. Browsers drop tabs and newlines
// inside URLs and read a backslash as a slash, so any control, space or
// backslash is refused outright rather than cleaned.
func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return false
	}
	for _, r := range next {
		if r == '\\' || r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return false
		}
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")
}

func (s *Server) t(c *fiber.Ctx, key string) string { return templates.Message(langOf(c), key) }
