package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// readJSON decodes the request body into v. Unknown fields are ignored, as
// they always were on these endpoints (clients may send more than we read).
func readJSON(c *fiber.Ctx, v any) error { return decodeJSON(c.Body(), v, false) }

// readJSONStrict is readJSON refusing unknown fields, for endpoints whose
// contract has always refused them.
func readJSONStrict(c *fiber.Ctx, v any) error { return decodeJSON(c.Body(), v, true) }

// jsonFieldName is a field name safe to repeat back to the client.
var jsonFieldName = regexp.MustCompile(`^[A-Za-z0-9_.]{1,64}$`)

// decodeJSON reads exactly one JSON value from body into v. Its errors are
// our own words: the decoder's text names Go types and repeats the input.
// Anything but white space after the value is refused, so that a client
// never has half its request silently ignored.
func decodeJSON(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return desk.Errorf(desk.EINVALID, "Thiếu nội dung JSON (JSON body required).")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return desk.Errorf(desk.EINVALID, "Có dữ liệu thừa sau nội dung JSON (unexpected data after the JSON value).")
	}
	return nil
}

// jsonError turns a decoder error into a message for the client.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ) && jsonFieldName.MatchString(typ.Field):
		return &desk.Error{Code: desk.EINVALID,
			Message: "JSON không hợp lệ: trường “" + typ.Field + "” sai kiểu dữ liệu (malformed JSON: field “" + typ.Field + "” has the wrong type).",
			Fields:  map[string]string{typ.Field: "Sai kiểu dữ liệu (wrong type)."}}
	case errors.As(err, &typ):
		return desk.Errorf(desk.EINVALID, "JSON không hợp lệ: sai kiểu dữ liệu (malformed JSON: a value has the wrong type).")
	case errors.As(err, &syn):
		return desk.Errorf(desk.EINVALID, "JSON không hợp lệ ở byte %d (malformed JSON at byte %d).", syn.Offset, syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return desk.Errorf(desk.EINVALID, "JSON không hợp lệ: nội dung bị cắt cụt (malformed JSON: the body ends too early).")
	}
	// The decoder reports an unknown field only as text.
	if name, ok := unknownField(err.Error()); ok {
		msg := "Trường không được hỗ trợ (unknown field)."
		if jsonFieldName.MatchString(name) {
			return &desk.Error{Code: desk.EINVALID, Message: "JSON không hợp lệ: trường “" + name + "” không được hỗ trợ (malformed JSON: unknown field “" + name + "”).",
				Fields: map[string]string{name: msg}}
		}
		return desk.Errorf(desk.EINVALID, "JSON không hợp lệ: có trường không được hỗ trợ (malformed JSON: unknown field).")
	}
	return desk.Errorf(desk.EINVALID, "JSON không hợp lệ (malformed JSON).")
}

var unknownFieldRe = regexp.MustCompile(`^json: unknown field "(.*)"$`)

func unknownField(msg string) (string, bool) {
	m := unknownFieldRe.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return m[1], true
}
