package app

import (
	"github.com/civicdesk/civicdesk/internal/citizen"
)

// maxUploadCap is the largest citizen upload whatever the request limit:
// the email channel's own attachment limit (parse.DefaultLimits).
const maxUploadCap = 10 << 20

// newCitizen builds the citizen-side service (issue 6). The upload limit
// follows the request body limit, less room for the form's other fields
// and the multipart framing, so that a document just over the limit gets
// the upload's own clear message rather than the generic 413 of the HTTP
// edge; raise CIVICDESK_MAX_BODY_BYTES to accept larger documents (up to
// 10 MiB, the email attachment limit).
func (a *App) newCitizen() *citizen.Service {
	up := a.Cfg.MaxBodyBytes - 64<<10
	if up < a.Cfg.MaxBodyBytes/2 {
		up = a.Cfg.MaxBodyBytes / 2
	}
	if up > maxUploadCap {
		up = maxUploadCap
	}
	return &citizen.Service{
		Store: a.Store, Tickets: a.Tickets, Audit: a.Audit, Limiter: a.Limiter, Mail: a.Queue,
		Clock: a.Clock, Log: a.Log, Secret: a.Secret,
		VerifyCode: rule("citizen-verify", a.Cfg.LimitVerify), VerifyCodeAll: rule("citizen-verify-code", a.Cfg.LimitVerifyCode),
		VerifyIP:   rule("citizen-verify-ip", a.Cfg.LimitVerifyIP),
		LinkCode:   rule("citizen-link", a.Cfg.LimitLink),
		ReopenDays: a.Cfg.RatingReopenDays,
		MaxUpload:  up,
	}
}
