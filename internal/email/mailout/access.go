package mailout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"strconv"
	"time"
)

// The one-time sign-in link (issue 6, internal/citizen). A citizen who
// cannot give the last digits of a phone number asks for a link; the web
// process stores only the SHA-256 of the link's token and queues a mail
// whose task carries a random nonce, never the token. The worker derives
// the same token from the nonce with the process secret. So the token
// exists in full only in the mail itself: not in the store, not in
// Redis, not in logs; and a retried task mails the same token again.

// KindAccess is the mail kind of a one-time link (workers.MailAccess).
const KindAccess = "access"

// LinkTTL is how long a one-time link stays valid.
const LinkTTL = 24 * time.Hour

// LinkToken derives the token of a one-time link for ticketID from nonce
// with secret. Its domain prefix keeps it apart from every other HMAC made
// with the same secret (Message-IDs, CSRF tokens, citizen cookies).
func LinkToken(secret []byte, ticketID, nonce string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("citizen-link\x00" + ticketID + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// LinkToken is LinkToken with the sender's secret.
func (s *Sender) LinkToken(ticketID, nonce string) string {
	return LinkToken(s.cfg.Secret, ticketID, nonce)
}

// AccessURL is the page that redeems a one-time link.
func (s *Sender) AccessURL(code, token string) string {
	return s.TrackURL(code) + "/auth/" + token
}

// AccessLink composes the mail carrying a one-time link to the tracking
// page of code, valid for validHours.
func (s *Sender) AccessLink(code, token string, validHours int) (subject, text, htmlBody string) {
	subject = Tag(code) + " Đường dẫn xác minh để trả lời, bổ sung hồ sơ hoặc đánh giá"
	url := s.AccessURL(code, token)
	hours := strconv.Itoa(validHours)
	text = "Kính gửi Quý ông/bà,\n\n" +
		"Có yêu cầu gửi đường dẫn xác minh cho phản ánh " + code + ".\n" +
		"Mở đường dẫn sau để trả lời, gửi bổ sung tài liệu hoặc đánh giá câu trả lời:\n\n" + url + "\n\n" +
		"Đường dẫn chỉ dùng được một lần và hết hạn sau " + hours + " giờ. " +
		"Nếu Quý ông/bà không yêu cầu, xin bỏ qua thư này.\n\n" +
		"(English: a one-time link to reply, upload a document or rate the answer; valid " + hours + " hours, single use.)\n"
	htmlBody = "<p>Kính gửi Quý ông/bà,</p>" +
		"<p>Có yêu cầu gửi đường dẫn xác minh cho phản ánh <strong>" + html.EscapeString(code) + "</strong>.</p>" +
		"<p>Mở đường dẫn sau để trả lời, gửi bổ sung tài liệu hoặc đánh giá câu trả lời:<br><a href=\"" +
		html.EscapeString(url) + "\">" + html.EscapeString(url) + "</a></p>" +
		"<p>Đường dẫn chỉ dùng được một lần và hết hạn sau " + hours + " giờ. Nếu Quý ông/bà không yêu cầu, xin bỏ qua thư này.</p>"
	return subject, text, htmlBody
}
