package citizen

import (
	"archive/zip"
	"bytes"
	"context"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Upload is a document the citizen sends with a reply.
type Upload struct {
	Filename string
	Data     []byte
}

// ReplyInput is a citizen's reply: text, a document, or both.
type ReplyInput struct {
	Body string
	File *Upload
}

// Document types a citizen may upload. The type is decided by the bytes,
// never by the name or the browser's Content-Type, which the sender
// controls; the stored type is the sniffed one.
var allowedTypes = []struct {
	mime, ext string
}{
	{"application/pdf", ".pdf"},
	{"image/jpeg", ".jpg"},
	{"image/png", ".png"},
	{"application/msword", ".doc"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
}

// sniff returns the MIME type of a document from its content, or "" when
// it is none of the allowed types.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// OLE2 compound file: Word 97–2003 (also old Excel and
		// PowerPoint, which agencies accept as well rarely enough that
		// telling them apart is not worth a parser).
		return "application/msword"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		// A zip is a .docx only with the Word main part; any other zip
		// (archives, spreadsheets, a renamed executable bundle) is refused.
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return ""
		}
		for _, f := range zr.File {
			if f.Name == "word/document.xml" {
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
			}
		}
	}
	return ""
}

// cleanName keeps the base name of an uploaded file, without control
// characters, at most 200 characters, with the extension of its sniffed
// type so that the file opens with the right program when staff download it.
func cleanName(name, mime string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	ext := ""
	for _, t := range allowedTypes {
		if t.mime == mime {
			ext = t.ext
		}
	}
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" || base == "." || base == "/" {
		base = "tai-lieu"
	}
	if r := []rune(base); len(r) > 200 {
		base = string(r[:200])
	}
	if strings.EqualFold(path.Ext(name), ".jpeg") && ext == ".jpg" {
		ext = ".jpeg"
	}
	return base + ext
}

// Reply adds the citizen's reply to the ticket as a citizen message with
// a public event, with the uploaded document stored like an email
// attachment. A ticket awaiting the citizen goes back to in_progress and
// its clock resumes with every deadline moved by the working days it
// waited (tickets.Service.Change).
//
// EUNAUTH without proof; EINVALID for an empty reply, a text over
// MaxBody, a document of a forbidden type or an empty one, or a closed
// ticket; ETOOLARGE for a document over the upload limit. Every refusal
// is decided before anything is stored.
func (s *Service) Reply(ctx context.Context, o *Owner, code string, in ReplyInput, ip string) (*desk.Ticket, error) {
	if err := owned(o, code); err != nil {
		return nil, err
	}
	code = o.code
	body := strings.TrimSpace(strings.ToValidUTF8(in.Body, ""))
	if in.File != nil && len(in.File.Data) == 0 && in.File.Filename == "" {
		in.File = nil // an empty file input
	}
	switch {
	case body == "" && in.File == nil:
		return nil, s.invalid(code, "reply", "body", "Nội dung trả lời không được để trống (the reply is empty).")
	case utf8.RuneCountInString(body) > MaxBody:
		return nil, s.invalid(code, "reply", "body", "Nội dung trả lời quá dài: tối đa 20.000 ký tự (the reply is over 20,000 characters).")
	}
	var att *desk.Attachment
	var blob *store.AttachmentBlob
	if in.File != nil {
		limit := s.maxUpload()
		switch n := len(in.File.Data); {
		case n == 0:
			return nil, s.invalid(code, "reply", "file", "Tệp gửi kèm rỗng (the file is empty).")
		case n > limit:
			s.Log.Info("citizen: upload over the limit", "code", code, "bytes", n, "limit", limit)
			msg := "Tệp gửi kèm quá lớn: tối đa " + sizeText(limit) + " (the file is over " + sizeText(limit) + ")."
			return nil, &desk.Error{Code: desk.ETOOLARGE, Message: msg, Fields: map[string]string{"file": msg}}
		}
		mime := sniff(in.File.Data)
		if mime == "" {
			return nil, s.invalid(code, "reply", "file", "Chỉ nhận tệp PDF, ảnh JPEG/PNG hoặc văn bản Word (DOC, DOCX); tệp này không thuộc các loại đó (only PDF, JPEG, PNG, DOC and DOCX files are accepted).")
		}
		name := cleanName(in.File.Filename, mime)
		blob = &store.AttachmentBlob{ID: store.NewID(), Filename: name, ContentType: mime, Size: len(in.File.Data), Data: in.File.Data, At: s.now()}
		att = &desk.Attachment{ID: blob.ID, Filename: name, ContentType: mime, Size: blob.Size}
	}

	var before desk.Status
	var msgID string
	stored := false
	out, err := s.retry(ctx, code, func(t *desk.Ticket) (*desk.Ticket, error) {
		before = t.Status
		if t.Status == desk.StatusClosed {
			return nil, s.invalid(code, "reply", "body", "Phản ánh đã đóng; nếu vấn đề chưa được giải quyết, vui lòng gửi phản ánh mới. (This ticket is closed; please submit a new one.)")
		}
		if blob != nil && !stored {
			// Stored once, before the change that lists it: a ticket
			// never lists a file that is not there.
			blob.SubmissionID = t.ID
			if err := s.Store.PutAttachment(ctx, blob); err != nil {
				return nil, err
			}
			stored = true
		}
		now := s.now()
		msg := &desk.Message{ID: store.NewID(), At: now, Kind: desk.MessageCitizen, Author: ActorCitizen, Channel: desk.ChannelWeb, Body: body,
			From: firstOf(t.Citizen.Email, t.Citizen.Phone)}
		if att != nil {
			msg.Attachments = []desk.Attachment{*att}
		}
		msgID = msg.ID
		ch := store.TicketChange{Message: msg, Event: desk.Event{Actor: ActorCitizen, Type: desk.EventMessage, To: string(desk.ChannelWeb), Public: true}}
		if t.Status == desk.StatusAwaitingCitizen {
			ch.Status = desk.StatusInProgress
			ch.Event.From, ch.Event.Note = string(t.Status), "citizen replied on the tracking page"
		}
		return s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: ch})
	})
	if err != nil {
		return nil, err
	}
	after := map[string]any{"status": out.Status, "message": msgID}
	if att != nil {
		after["attachment"] = map[string]any{"id": att.ID, "filename": att.Filename, "type": att.ContentType, "size": att.Size}
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.reply", Target: code, IP: ip,
		Before: map[string]any{"status": before}, After: after})
	s.Log.Info("citizen: reply added", "code", code, "status", out.Status, "attachment", att != nil)
	return out, nil
}

// sizeText says a byte count in MB or KB, Vietnamese style ("5 MB").
func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MB"
	}
	if n >= 1<<10 {
		return strconv.Itoa((n+1023)>>10) + " KB"
	}
	return strconv.Itoa(n) + " byte"
}

// firstOf returns the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
