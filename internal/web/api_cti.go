package web

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
)

// apiCTI: POST /api/v1/cti/:token, the PBX webhook, compatible with
// Zammad's generic CTI push API: form-encoded or JSON, event newCall,
// answer or hangup. It answers {} or {"action":"reject"} for a blocked
// number. The token is the only credential, so a wrong one gets 401 and a
// log line before anything is parsed; the request log records the route
// pattern, never the token.
func (s *Server) apiCTI(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := s.Hotline.CheckToken(ctx, c.Params("token")); err != nil {
		if desk.ErrorCode(err) == desk.EUNAUTH {
			s.Log.Warn("cti: wrong token; event ignored", "ip", c.IP())
		}
		return err
	}
	if n := len(c.Body()); n > hotline.MaxCTIBody {
		s.Log.Warn("cti: event too large; ignored", "bytes", n, "ip", c.IP())
		return desk.Errorf(desk.ETOOLARGE, "Sự kiện CTI quá lớn: tối đa %d byte (CTI event over %d bytes).", hotline.MaxCTIBody, hotline.MaxCTIBody)
	}
	in, err := parseCTI(c)
	if err == nil {
		var reply hotline.CTIReply
		if reply, err = s.Hotline.HandleCTI(ctx, in); err == nil {
			return c.JSON(reply)
		}
	}
	if code := desk.ErrorCode(err); code != desk.EINTERNAL {
		s.Log.Warn("cti: event refused", "code", code, "fields", fieldNames(err), "event", clip(in.Event, 20), "ip", c.IP())
	}
	return err
}

// clip shortens s for a log line.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// parseCTI reads the event from a form or a JSON body. Every value is
// copied out of Fiber's buffers.
func parseCTI(c *fiber.Ctx) (hotline.CTIInput, error) {
	var in hotline.CTIInput
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		var raw map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(c.Body()))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return in, desk.Errorf(desk.EINVALID, "JSON không hợp lệ (malformed JSON).")
		}
		if _, err := dec.Token(); err != io.EOF {
			return in, desk.Errorf(desk.EINVALID, "Có dữ liệu thừa sau nội dung JSON (unexpected data after the JSON value).")
		}
		var bad []string
		str := func(key string) string {
			v, ok := raw[key]
			if !ok {
				return ""
			}
			s, ok := jsonScalar(v)
			if !ok {
				bad = append(bad, key)
			}
			return s
		}
		in = hotline.CTIInput{Event: str("event"), From: str("from"), To: str("to"), Direction: str("direction"),
			CallID: str("callId"), Queue: str("queue"), AnsweringNumber: str("answeringNumber"), Cause: str("cause")}
		for _, key := range []string{"user", "user[]"} {
			v, ok := raw[key]
			if !ok {
				continue
			}
			var list []string
			if s, ok := jsonScalar(v); ok {
				list = []string{s}
			} else if err := json.Unmarshal(v, &list); err != nil {
				bad = append(bad, key)
			}
			in.Users = append(in.Users, list...)
		}
		if len(bad) > 0 {
			e := &desk.Error{Code: desk.EINVALID, Message: "Sự kiện CTI không hợp lệ (invalid CTI event).", Fields: map[string]string{}}
			for _, k := range bad {
				e.Fields[k] = "phải là chuỗi (must be a string)"
			}
			return in, e
		}
		return in, nil
	}
	// Form: application/x-www-form-urlencoded or multipart, as Zammad's
	// PBX scripts send it; user[] may repeat.
	get := func(key string) string { return clone(c.FormValue(key)) }
	in = hotline.CTIInput{Event: get("event"), From: get("from"), To: get("to"), Direction: get("direction"),
		CallID: get("callId"), Queue: get("queue"), AnsweringNumber: get("answeringNumber"), Cause: get("cause")}
	args := c.Request().PostArgs()
	for _, key := range []string{"user[]", "user"} {
		for _, v := range args.PeekMulti(key) {
			in.Users = append(in.Users, string(v))
		}
	}
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for _, key := range []string{"user[]", "user"} {
			in.Users = append(in.Users, mf.Value[key]...)
		}
	}
	return in, nil
}

// jsonScalar reads a JSON string or number as a string.
func jsonScalar(v json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		if _, err := strconv.ParseFloat(n.String(), 64); err == nil {
			return n.String(), true
		}
	}
	return "", false
}

// apiCTIInfo: GET /api/v1/admin/cti, admins only: the webhook URL to give
// the PBX.
func (s *Server) apiCTIInfo(c *fiber.Ctx) error {
	tok, err := s.Hotline.AdminToken(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"token": tok, "url": c.BaseURL() + "/api/v1/cti/" + tok,
		"events": []string{"newCall", "answer", "hangup"}})
}
