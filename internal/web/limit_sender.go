package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
)

// limitSender applies the per-sender submission limit to the phone number
// and the e-mail address a submission gives, after the per-IP limit: a
// flood from many addresses in one name is stopped as well as one from
// one address in many names. Identifiers are normalised first (so "0912…"
// and "+84912…" are one sender) and hashed into the key by KeyFor, so no
// personal data sits in Redis. Values that do not parse are left to
// intake's validation, which refuses them.
//
// On refusal it sets Retry-After and returns ELIMITED (429) with a
// Vietnamese message. When Redis is unreachable it lets the submission
// through, like the per-IP limit.
func (s *Server) limitSender(c *fiber.Ctx, rawPhone, rawEmail string) error {
	rule := s.Limits.Sender
	if s.Limiter == nil || rule.Limit <= 0 {
		return nil
	}
	var keys []string
	if n, err := phone.Normalize(rawPhone); err == nil && strings.TrimSpace(rawPhone) != "" {
		keys = append(keys, ratelimit.KeyFor("phone", n))
	}
	if e := strings.ToLower(strings.TrimSpace(rawEmail)); e != "" && len(e) <= 254 {
		keys = append(keys, ratelimit.KeyFor("email", e))
	}
	for _, k := range keys {
		d, err := s.Limiter.Allow(c.UserContext(), rule, k)
		if err != nil {
			s.Log.Warn("rate limiter unavailable; letting submission through", "rule", rule.Name, "err", err)
			return nil
		}
		if !d.Allowed {
			secs := int((d.RetryAfter + time.Second - 1) / time.Second)
			if secs < 1 {
				secs = 1
			}
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
			s.Log.Warn("rate limited", "rule", rule.Name, "ip", c.IP(), "retry_after_s", secs)
			s.reject(c, "sender_limit")
			return desk.Errorf(desk.ELIMITED, "Số điện thoại hoặc email này đã gửi quá nhiều phản ánh; vui lòng thử lại sau %s. (Too many submissions from this phone number or email; retry in %d s.)", humanWait(secs), secs)
		}
	}
	return nil
}

// humanWait says a wait in Vietnamese: "45 giây", "12 phút", "2 giờ".
func humanWait(secs int) string {
	switch {
	case secs < 120:
		return strconv.Itoa(secs) + " giây"
	case secs < 2*3600:
		return strconv.Itoa((secs+59)/60) + " phút"
	}
	return strconv.Itoa((secs+3599)/3600) + " giờ"
}
