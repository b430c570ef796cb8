package intake

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/desk"
)

type catalogStub struct{}

func (catalogStub) Catalog() *desk.Catalog {
	return desk.NewCatalog([]desk.Agency{{Code: "BTC"}}, []desk.Category{{Code: DefaultEmailCategory}, {Code: "y-te"}})
}
func (catalogStub) Provinces() []string { return nil }

// Email submissions carry the raw message as their content: title, body
// and category may be empty (the worker fills them), but not the raw.
func TestValidateEmailChannel(t *testing.T) {
	s := &Service{Catalog: catalogStub{}, Clock: desk.SystemClock{}}
	raw := []byte("Subject: x\r\n\r\nbody\r\n")
	sub, err := s.validate(Input{Channel: desk.ChannelEmail, Raw: raw, Agency: "BTC",
		Mail: &desk.MailEnvelope{Source: "smtp", From: "a@example.vn"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Category != DefaultEmailCategory || string(sub.Raw) != string(raw) || sub.Mail.From != "a@example.vn" || sub.Agency != "BTC" {
		t.Errorf("submission %+v", sub)
	}
	if _, err := s.validate(Input{Channel: desk.ChannelEmail, Title: "t"}); desk.ErrorCode(err) != desk.EINVALID {
		t.Errorf("email without raw or body: %v", err)
	}
	if _, err := s.validate(Input{Channel: desk.ChannelEmail, Raw: make([]byte, MaxRaw+1)}); desk.ErrorCode(err) != desk.ETOOLARGE {
		t.Errorf("oversize raw: %v", err)
	}
	// The web channel still needs its fields, raw or not.
	if _, err := s.validate(Input{Channel: desk.ChannelWeb, Raw: raw, Email: "a@example.vn"}); desk.ErrorCode(err) != desk.EINVALID {
		t.Errorf("web without title: %v", err)
	}
	if sub, err := s.validate(Input{Channel: desk.ChannelWeb, Raw: raw, Title: "t", Body: "b", Category: "y-te", Name: "n", Email: "a@example.vn"}); err != nil || sub.Raw != nil {
		t.Errorf("web kept a raw: %v", err)
	}
}
