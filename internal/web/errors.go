package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/templates"
)

// statusByCode maps each desk error code to one HTTP status.
var statusByCode = map[string]int{
	desk.EINVALID:   fiber.StatusBadRequest,
	desk.ENOTFOUND:  fiber.StatusNotFound,
	desk.ECONFLICT:  fiber.StatusConflict,
	desk.EFORBIDDEN: fiber.StatusForbidden,
	desk.EUNAUTH:    fiber.StatusUnauthorized,
	desk.ETOOLARGE:  fiber.StatusRequestEntityTooLarge,
	desk.ELIMITED:   fiber.StatusTooManyRequests,
	desk.EINTERNAL:  fiber.StatusInternalServerError,
	// A backend down, too slow or turned off: the client may retry.
	desk.EUNAVAILABLE: fiber.StatusServiceUnavailable,
	desk.EKEYREUSED:   fiber.StatusUnprocessableEntity,
}

// ErrSearchOff answers every search while CIVICDESK_SEARCH=none.
var ErrSearchOff = &desk.Error{Code: desk.EUNAVAILABLE,
	Message: "Tìm kiếm đang tắt trên hệ thống này (CIVICDESK_SEARCH=none); các chức năng khác vẫn hoạt động. (Search is turned off on this deployment; everything else works.)"}

// unavailableRetryAfter is the Retry-After of a 503 that set none: long
// enough for a store fail-over, short enough for a client to keep trying.
const unavailableRetryAfter = "5"

func statusOf(err error) int {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	if st, ok := statusByCode[desk.ErrorCode(err)]; ok {
		return st
	}
	return fiber.StatusInternalServerError
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Code   string            `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
}

// handleError answers API requests with application/problem+json and page
// requests with the error page. Internal errors are logged in full and
// shown to the user only as a generic message.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	if errors.Is(err, search.ErrDisabled) {
		err = ErrSearchOff
	}
	status := statusOf(err)
	code := desk.ErrorCode(err)
	msg := desk.ErrorMessage(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, msg = fiberCode(fe.Code), fe.Message
		if m, ok := edgeMessages[fe.Code]; ok && fe.Message == utils.StatusMessage(fe.Code) {
			msg = m // the server's own English default (limits.go)
		}
	}
	var fields map[string]string
	var de *desk.Error
	if errors.As(err, &de) {
		fields = de.Fields
	}
	switch {
	case code == desk.EUNAVAILABLE:
		// Its message is written for the user; the cause is logged where
		// it was found.
		if len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
			c.Set(fiber.HeaderRetryAfter, unavailableRetryAfter)
		}
	case status >= 500:
		s.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		msg = desk.ErrorMessage(errors.New("hidden"))
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
		return c.Status(status).JSON(problem{Type: "about:blank", Title: httpTitle(status), Status: status, Detail: msg, Code: code, Fields: fields}, "application/problem+json; charset=utf-8")
	}
	c.Status(status)
	return s.render(c, "error", templates.Message(langOf(c), "error.title"), fiber.Map{"Message": msg})
}

func httpTitle(status int) string {
	if t := utils.StatusMessage(status); t != "" {
		return t
	}
	return "Error"
}

func fiberCode(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return desk.ENOTFOUND
	case fiber.StatusRequestEntityTooLarge:
		return desk.ETOOLARGE
	case fiber.StatusTooManyRequests:
		return desk.ELIMITED
	case fiber.StatusUnauthorized:
		return desk.EUNAUTH
	case fiber.StatusForbidden:
		return desk.EFORBIDDEN
	}
	if status >= 500 {
		return desk.EINTERNAL
	}
	return desk.EINVALID
}
