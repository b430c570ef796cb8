package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/hibiken/asynq"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/email/parse"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/workers"
)

// sink is the outbound relay in these tests: a real SMTP server (go-smtp)
// that keeps every message it is given.
type sink struct {
	mu   sync.Mutex
	msgs [][]byte
	addr string
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type sinkSession struct{ s *sink }

func (ss *sinkSession) Reset()                                 {}
func (ss *sinkSession) Logout() error                          { return nil }
func (ss *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.mu.Unlock()
	return nil
}

// waitMail waits for a caught mail whose parsed form satisfies match.
func (s *sink) waitMail(t *testing.T, what string, match func(*parse.Message) bool) *parse.Message {
	t.Helper()
	var got *parse.Message
	apptest.WaitFor(t, 20*time.Second, what, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, raw := range s.msgs {
			m, err := parse.Parse(raw, parse.Limits{})
			if err == nil && match(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// startMail runs an app whose relay is a fresh sink, and returns the
// inbound SMTP address.
func startMail(t *testing.T, configure func(*config.Config)) (*apptest.Env, *sink, string) {
	t.Helper()
	sk := startSink(t)
	host, port, _ := net.SplitHostPort(sk.addr)
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.RelayHost = host
		fmt.Sscan(port, &c.RelayPort)
		c.MailFrom = "Cổng phản ánh <phananh@localhost>"
		c.IntakeAddresses = "phananh@localhost, tct@gdt.gov.vn=BTC-TCT"
		if configure != nil {
			configure(c)
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := e.App.SMTPAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return e, sk, addr
}

// send delivers raw over SMTP with net/smtp and returns the server's
// answer as an error (a *textproto.Error for refusals).
func send(addr, from string, to []string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// cp1258 writes Vietnamese in windows-1258: vowel letters precomposed
// where the charset has them, tones as separate combining marks.
func cp1258(t *testing.T, s string) []byte {
	var out []rune
	d := []rune(norm.NFD.String(s))
	for i := 0; i < len(d); {
		base := []rune{d[i]}
		i++
		var tones []rune
		for ; i < len(d) && unicode.Is(unicode.Mn, d[i]); i++ {
			if strings.ContainsRune("\u0300\u0301\u0303\u0309\u0323", d[i]) {
				tones = append(tones, d[i])
			} else {
				base = append(base, d[i])
			}
		}
		out = append(out, []rune(norm.NFC.String(string(base)))...)
		out = append(out, tones...)
	}
	b, err := charmap.Windows1258.NewEncoder().Bytes([]byte(string(out)))
	if err != nil {
		t.Fatalf("windows-1258: %v", err)
	}
	return b
}

func qp(b []byte) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return strings.ReplaceAll(strings.ReplaceAll(buf.String(), "\r\n", "\n"), "\n", "\r\n")
}

func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
}

// emailTickets lists every ticket that came by email.
func emailTickets(t *testing.T, e *apptest.Env) []*desk.Ticket {
	t.Helper()
	admin := &desk.User{ID: "test", Role: desk.RoleAdmin}
	all := []desk.Status{desk.StatusTriage, desk.StatusNew, desk.StatusInProgress, desk.StatusAwaitingCitizen,
		desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed, desk.StatusQuarantined}
	list, _, err := e.App.Store.Tickets(context.Background(), admin, desk.TicketFilter{Statuses: all, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []*desk.Ticket
	for _, tk := range list {
		if tk.Channel == desk.ChannelEmail {
			full, err := e.App.Store.TicketByID(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, full)
		}
	}
	return out
}

func waitTickets(t *testing.T, e *apptest.Env, n int) []*desk.Ticket {
	t.Helper()
	var got []*desk.Ticket
	apptest.WaitFor(t, 20*time.Second, fmt.Sprintf("%d email tickets", n), func() bool {
		got = emailTickets(t, e)
		return len(got) >= n
	})
	return got
}

// intakeDone waits until the intake task of submission id has finished,
// so that what it would have enqueued is enqueued.
func intakeDone(t *testing.T, e *apptest.Env, id string) {
	t.Helper()
	apptest.WaitFor(t, 20*time.Second, "intake task done", func() bool {
		info, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueCritical, workers.IntakeTaskID(id))
		return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) || (err == nil && info.State == asynq.TaskStateCompleted)
	})
}

const (
	vnSubject = "Đề nghị hỗ trợ người lao động bị ảnh hưởng"
	vnBody    = "Kính gửi Quý cơ quan,\nTôi là Trần Thị Bích, công nhân may ở Bình Dương. Công ty tạm dừng hoạt động từ tháng 8, tôi chưa nhận được khoản hỗ trợ nào.\nXin hướng dẫn thủ tục giúp tôi.\nTrân trọng."
	pdfBytes  = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

// citizenMail is a Vietnamese letter as an old Outlook writes it:
// windows-1258, quoted-printable, a PDF attached, the subject and the
// file name as RFC 2047 words in windows-1258 too.
func citizenMail(t *testing.T, msgID string) []byte {
	subj := "=?windows-1258?B?" + base64.StdEncoding.EncodeToString(cp1258(t, vnSubject)) + "?="
	name := "=?windows-1258?Q?" + strings.ReplaceAll(strings.TrimSuffix(qp(cp1258(t, "Trần Thị Bích")), "=\r\n"), " ", "_") + "?="
	file := "=?windows-1258?B?" + base64.StdEncoding.EncodeToString(cp1258(t, "giấy xác nhận.pdf")) + "?="
	raw := "From: " + name + " <bich.tran@example.vn>\n" +
		"To: phananh@localhost\n" +
		"Subject: " + subj + "\n" +
		"Message-ID: <" + msgID + ">\n" +
		"Date: Fri, 27 Nov 2026 09:15:00 +0700\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\n\n" +
		"--b1\n" +
		"Content-Type: text/plain; charset=windows-1258\n" +
		"Content-Transfer-Encoding: quoted-printable\n\n" +
		qp(cp1258(t, vnBody)) + "\n" +
		"--b1\n" +
		"Content-Type: application/pdf; name=\"" + file + "\"\n" +
		"Content-Disposition: attachment; filename=\"" + file + "\"\n" +
		"Content-Transfer-Encoding: base64\n\n" +
		base64.StdEncoding.EncodeToString([]byte(pdfBytes)) + "\n" +
		"--b1--\n"
	return crlf(raw)
}

// TestEmailIntakeAckAndThreading covers acceptance 1 and 2: a windows-1258
// letter with a PDF over real SMTP becomes a ticket with the decoded
// subject, body and attachment; its acknowledgement reaches the relay with
// the tracking tag; a reply with the tag and a reply with only
// In-Reply-To both land on that ticket.
func TestEmailIntakeAckAndThreading(t *testing.T) {
	e, sk, addr := startMail(t, nil)
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "first.1@example.vn")); err != nil {
		t.Fatalf("send: %v", err)
	}
	tk := waitTickets(t, e, 1)[0]
	if tk.Title != vnSubject {
		t.Errorf("title %q, want %q", tk.Title, vnSubject)
	}
	if !strings.Contains(tk.Body, "công nhân may ở Bình Dương") || !strings.Contains(tk.Body, "Xin hướng dẫn thủ tục giúp tôi.") {
		t.Errorf("body not decoded: %q", tk.Body)
	}
	if tk.Citizen.Email != "bich.tran@example.vn" || tk.Citizen.Name != "Trần Thị Bích" {
		t.Errorf("citizen %+v", tk.Citizen)
	}
	if len(tk.Attachments) != 1 || tk.Attachments[0].Filename != "giấy xác nhận.pdf" || tk.Attachments[0].ContentType != "application/pdf" || tk.Attachments[0].Size != len(pdfBytes) {
		t.Fatalf("attachments %+v", tk.Attachments)
	}
	blob, err := e.App.Store.Attachment(context.Background(), tk.Attachments[0].ID)
	if err != nil || string(blob.Data) != pdfBytes {
		t.Fatalf("stored attachment: %v", err)
	}
	// Staff download it through the API; another agency's staff cannot.
	path := "/api/v1/tickets/" + tk.TrackingCode + "/attachments/" + tk.Attachments[0].ID
	r := e.Do("GET", path, nil, "Authorization", "Bearer "+e.AdminToken())
	if r.Status != 200 || string(r.Body) != pdfBytes || r.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %v", r.Status, r.Body, r.Header)
	}
	other := e.CreateUser("bhxh@test.example", desk.RoleStaff, "BHXH")
	if r := e.Do("GET", path, nil, "Authorization", "Bearer "+other); r.Status != 404 {
		t.Errorf("out-of-scope download: %d", r.Status)
	}
	sub, err := e.App.Store.Submission(context.Background(), tk.ID)
	if err != nil || !bytes.Contains(sub.Raw, []byte("Content-Type: application/pdf")) || sub.Mail == nil || sub.Mail.From != "bich.tran@example.vn" {
		t.Fatalf("raw not kept on the submission: %v", err)
	}

	ack := sk.waitMail(t, "acknowledgement", func(m *parse.Message) bool { return len(m.TrackingCodes) > 0 })
	if ack.TrackingCodes[0] != tk.TrackingCode || !strings.Contains(ack.Subject, "["+tk.TrackingCode+"]") {
		t.Fatalf("ack subject %q, ticket %s", ack.Subject, tk.TrackingCode)
	}
	if !strings.Contains(ack.Text, "Mã số phản ánh: "+tk.TrackingCode) || ack.HTML == "" || ack.MessageID == "" {
		t.Errorf("ack text %q html %d message-id %q", ack.Text, len(ack.HTML), ack.MessageID)
	}
	if len(ack.To) != 1 || ack.To[0].Email != "bich.tran@example.vn" {
		t.Errorf("ack to %+v", ack.To)
	}

	// A reply with the tag (and no thread headers).
	tagged := crlf("From: Trần Thị Bích <bich.tran@example.vn>\nTo: phananh@localhost\n" +
		"Subject: Re: [" + tk.TrackingCode + "] Đã tiếp nhận\nMessage-ID: <reply.2@example.vn>\n" +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" +
		"Tôi gửi bổ sung số sổ bảo hiểm: 7912345678.\n\n" +
		"Vào Th 6, 27 thg 11, 2026 lúc 09:20 Cổng phản ánh <phananh@localhost> đã viết:\n> Mã số phản ánh: " + tk.TrackingCode + "\n")
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, tagged); err != nil {
		t.Fatal(err)
	}
	// A reply that only has In-Reply-To: the tag was deleted from the subject.
	threaded := crlf("From: bich.tran@example.vn\nTo: phananh@localhost\nSubject: Re: hỗ trợ\n" +
		"Message-ID: <reply.3@example.vn>\nIn-Reply-To: <" + ack.MessageID + ">\n" +
		"Content-Type: text/plain; charset=utf-8\n\nCòn đây là ảnh chụp quyết định nghỉ việc.\n\n> Kính gửi Quý ông/bà,\n")
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, threaded); err != nil {
		t.Fatal(err)
	}
	var final *desk.Ticket
	apptest.WaitFor(t, 20*time.Second, "both replies on the ticket", func() bool {
		final, _ = e.App.Store.TicketByID(context.Background(), tk.ID)
		return final != nil && len(final.Messages) == 2
	})
	bodies := final.Messages[0].Body + "|" + final.Messages[1].Body
	if !strings.Contains(bodies, "Tôi gửi bổ sung số sổ bảo hiểm: 7912345678.") || !strings.Contains(bodies, "Còn đây là ảnh chụp quyết định nghỉ việc.") {
		t.Errorf("reply bodies %q", bodies)
	}
	if strings.Contains(bodies, "> ") || strings.Contains(bodies, "đã viết:") {
		t.Errorf("quoted history kept in %q", bodies)
	}
	if n := len(emailTickets(t, e)); n != 1 {
		t.Fatalf("%d email tickets, want 1: replies opened new tickets", n)
	}
	// Replies are not acknowledged: only the first mail was.
	time.Sleep(300 * time.Millisecond)
	if n := sk.count(); n != 1 {
		t.Errorf("relay got %d mails, want 1 (the acknowledgement)", n)
	}
}

// TestEmailAutoReplyAndBounce covers acceptance 3: automatic mail gets no
// acknowledgement, an out-of-office answer to our mail and a delivery
// failure report are noted on the ticket they concern, and neither opens
// a ticket.
func TestEmailAutoReplyAndBounce(t *testing.T) {
	e, sk, addr := startMail(t, nil)
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "first.9@example.vn")); err != nil {
		t.Fatal(err)
	}
	tk := waitTickets(t, e, 1)[0]
	ack := sk.waitMail(t, "acknowledgement", func(m *parse.Message) bool { return len(m.TrackingCodes) > 0 })

	// An auto-reply about nothing we know: a ticket (someone may read
	// it), but no acknowledgement.
	auto := crlf("From: Phòng Hành chính <hanhchinh@example.vn>\nTo: phananh@localhost\n" +
		"Subject: Trả lời tự động: Thông báo nghỉ lễ\nAuto-Submitted: auto-replied\nMessage-ID: <auto.1@example.vn>\n" +
		"Content-Type: text/plain; charset=utf-8\n\nCán bộ phụ trách đang nghỉ phép đến hết ngày 30/11.\n")
	if err := send(addr, "hanhchinh@example.vn", []string{"phananh@localhost"}, auto); err != nil {
		t.Fatal(err)
	}
	var autoTicket *desk.Ticket
	for _, x := range waitTickets(t, e, 2) {
		if x.ID != tk.ID {
			autoTicket = x
		}
	}
	intakeDone(t, e, autoTicket.ID)
	if _, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, workers.MailTaskID(autoTicket.ID, workers.MailAck, "")); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Errorf("an acknowledgement was queued for the auto-reply: %v", err)
	}

	// An out-of-office answer to our acknowledgement.
	ooo := crlf("From: bich.tran@example.vn\nTo: phananh@localhost\nSubject: Out of office: " + ack.Subject + "\n" +
		"X-Autoreply: yes\nIn-Reply-To: <" + ack.MessageID + ">\nMessage-ID: <ooo.1@example.vn>\n" +
		"Content-Type: text/plain; charset=utf-8\n\nTôi đang đi công tác.\n")
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, ooo); err != nil {
		t.Fatal(err)
	}
	// A delivery status notification for our acknowledgement, from the
	// null sender.
	dsn := crlf("From: Mail Delivery System <MAILER-DAEMON@mx.example.vn>\nTo: phananh@localhost\n" +
		"Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn.1@mx.example.vn>\nAuto-Submitted: auto-replied\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"\n\n" +
		"--r1\nContent-Type: text/plain; charset=utf-8\n\nThư không gửi được tới bich.tran@example.vn.\n" +
		"--r1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.vn\n\n" +
		"Final-Recipient: rfc822; bich.tran@example.vn\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n" +
		"--r1\nContent-Type: text/rfc822-headers\n\nFrom: phananh@localhost\nTo: bich.tran@example.vn\nSubject: " + ack.Subject + "\n" +
		"Message-ID: <" + ack.MessageID + ">\n\n--r1--\n")
	if err := send(addr, "", []string{"phananh@localhost"}, dsn); err != nil {
		t.Fatal(err)
	}
	var got *desk.Ticket
	apptest.WaitFor(t, 20*time.Second, "auto-reply and bounce noted on the ticket", func() bool {
		got, _ = e.App.Store.TicketByID(context.Background(), tk.ID)
		var auto, failed bool
		for _, ev := range got.Events {
			auto = auto || ev.Type == desk.EventAutoReply
			failed = failed || (ev.Type == desk.EventDeliveryFailed && strings.Contains(ev.Note, "5.1.1"))
		}
		return auto && failed
	})
	if len(got.Messages) != 0 || got.Status == desk.StatusInProgress {
		t.Errorf("automatic mail counted as the citizen's reply: %d messages, status %s", len(got.Messages), got.Status)
	}
	if n := len(emailTickets(t, e)); n != 2 {
		t.Errorf("%d email tickets, want 2 (the letter and the unrelated auto-reply)", n)
	}
	if n := sk.count(); n != 1 {
		t.Errorf("relay got %d mails, want only the first acknowledgement", n)
	}
}

// TestEmailBadInput covers acceptance 6: each refusal has its SMTP code
// and stores nothing; malformed MIME is accepted with the raw kept.
func TestEmailBadInput(t *testing.T) {
	e, _, addr := startMail(t, func(c *config.Config) {
		c.SMTPMaxBytes = 64 << 10
		c.LimitSMTPSender = "3/1h"
	})
	ctx := context.Background()
	count := func() int64 {
		n, err := e.App.Store.CountSubmissions(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	big := crlf("From: a@example.vn\nTo: phananh@localhost\nSubject: big\n\n" + strings.Repeat("Nội dung rất dài, dòng này lặp lại nhiều lần.\n", 4000) + "\n")
	if err := send(addr, "big@example.vn", []string{"phananh@localhost"}, big); smtpCode(err) != 552 {
		t.Errorf("oversize: %v, want 552", err)
	}
	if err := send(addr, "who@example.vn", []string{"khongco@localhost"}, crlf("Subject: x\n\nx\n")); smtpCode(err) != 550 {
		t.Errorf("unknown recipient: %v, want 550", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d submissions stored after refusals", n)
	}

	// Malformed: multipart with no boundary parameter, truncated base64.
	bad := crlf("From: \"Lê Văn Cường\" <cuong@example.vn>\nTo: phananh@localhost\nSubject: =?utf-8?B?SOG7jyBp?= v=?x?Q?=C3=\n" +
		"Content-Type: multipart/mixed\nContent-Transfer-Encoding: base64\n\n--zz\nNội dung hỏng ###\n4pyTIMOgIGxhIG1vZGU=%%%\n")
	if err := send(addr, "cuong@example.vn", []string{"phananh@localhost"}, bad); err != nil {
		t.Fatalf("malformed MIME refused: %v", err)
	}
	tk := waitTickets(t, e, 1)[0]
	sub, err := e.App.Store.Submission(ctx, tk.ID)
	if err != nil || !bytes.Contains(sub.Raw, []byte("4pyTIMOgIGxhIG1vZGU=%%%")) {
		t.Fatalf("raw not kept: %v", err)
	}
	if tk.Citizen.Email != "cuong@example.vn" {
		t.Errorf("citizen %+v", tk.Citizen)
	}

	// A flood from one sender: the first three pass, then 450.
	var codes []int
	for i := 0; i < 6; i++ {
		m := crlf(fmt.Sprintf("From: flood@example.vn\nTo: phananh@localhost\nSubject: thư %d\nMessage-ID: <f%d@example.vn>\n\nxin chào %d\n", i, i, i))
		codes = append(codes, smtpCode(send(addr, "flood@example.vn", []string{"phananh@localhost"}, m)))
	}
	if fmt.Sprint(codes) != "[0 0 0 450 450 450]" {
		t.Errorf("flood answers %v, want three accepted then 450", codes)
	}
	// The limit is per sender: someone else still gets through.
	if err := send(addr, "other@example.vn", []string{"phananh@localhost"}, crlf("From: other@example.vn\nSubject: khác\n\nnội dung\n")); err != nil {
		t.Errorf("another sender refused: %v", err)
	}
	if n := count(); n != 5 {
		t.Errorf("%d submissions, want 5 (malformed + 3 flood + other)", n)
	}
}

// TestEmailAgencyAddressAndPortalAck: mail to an agency's own address is
// routed to that agency, and a portal submission that gave an email is
// acknowledged by email too.
func TestEmailAgencyAddressAndPortalAck(t *testing.T) {
	e, sk, addr := startMail(t, nil)
	m := crlf("From: Phạm Minh <minh@example.vn>\nTo: tct@gdt.gov.vn\nSubject: Hỏi về gia hạn nộp thuế\n" +
		"Message-ID: <tct.1@example.vn>\nContent-Type: text/plain; charset=utf-8\n\nDoanh nghiệp tôi xin gia hạn nộp thuế GTGT.\n")
	if err := send(addr, "minh@example.vn", []string{"TCT@gdt.gov.vn"}, m); err != nil {
		t.Fatal(err)
	}
	tk := waitTickets(t, e, 1)[0]
	if tk.Agency != "BTC-TCT" {
		t.Errorf("agency %q, want BTC-TCT (the address's agency)", tk.Agency)
	}
	sub := apptest.Submission()
	sub["email"] = "portal.user@example.vn"
	code := e.Submit(sub)
	ack := sk.waitMail(t, "portal acknowledgement", func(m *parse.Message) bool {
		return len(m.TrackingCodes) > 0 && m.TrackingCodes[0] == code
	})
	if len(ack.To) != 1 || ack.To[0].Email != "portal.user@example.vn" {
		t.Errorf("portal ack to %+v", ack.To)
	}

	// A tag naming no ticket: the mail becomes a ticket of its own, whole.
	stray := crlf("From: lan@example.vn\nTo: phananh@localhost\nSubject: Re: [PA-22222-33333] Hỏi lại\n" +
		"Content-Type: text/plain; charset=utf-8\n\nTôi hỏi lại việc cũ.\n\n> trích dẫn cũ\n")
	if err := send(addr, "lan@example.vn", []string{"phananh@localhost"}, stray); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range waitTickets(t, e, 2) {
		if x.Title == "Re: [PA-22222-33333] Hỏi lại" && strings.Contains(x.Body, "Tôi hỏi lại việc cũ.") {
			found = true
		}
	}
	if !found {
		t.Errorf("mail with an unknown tag did not become its own ticket")
	}
}

// TestEmailStaffAnswerAndCitizenReply: the answer staff store on a ticket
// goes out by email (workers.Queue.EnqueueAnswerMail, what the workspace
// calls) in the acknowledgement's thread; the citizen's reply to it lands
// on the ticket and takes it from awaiting_citizen back to in_progress.
func TestEmailStaffAnswerAndCitizenReply(t *testing.T) {
	e, sk, addr := startMail(t, nil)
	ctx := context.Background()
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "first.7@example.vn")); err != nil {
		t.Fatal(err)
	}
	tk := waitTickets(t, e, 1)[0]
	ack := sk.waitMail(t, "acknowledgement", func(m *parse.Message) bool { return len(m.TrackingCodes) > 0 })

	answer := "Đề nghị bà bổ sung bản sao quyết định chấm dứt hợp đồng lao động.\n\nTrân trọng."
	// As the workspace will: store the answer by compare-and-set (the
	// worker may still be adding the mail_sent event, hence the retry).
	for attempt := 0; ; attempt++ {
		cur, err := e.App.Store.TicketByID(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.App.Store.UpdateTicketWith(ctx, cur.ID, cur.Version, store.TicketChange{
			Status:  desk.StatusAwaitingCitizen,
			Message: &desk.Message{ID: "answer-1", At: time.Now(), Kind: desk.MessageReply, Author: "staff", Body: answer},
			Event:   desk.Event{Actor: "staff", Type: desk.EventStatus, To: string(desk.StatusAwaitingCitizen)},
		}, time.Now().UTC())
		if err == nil {
			break
		}
		if desk.ErrorCode(err) != desk.ECONFLICT || attempt > 20 {
			t.Fatal(err)
		}
	}
	if err := e.App.Queue.EnqueueAnswerMail(ctx, tk.ID, "answer-1"); err != nil {
		t.Fatal(err)
	}
	got := sk.waitMail(t, "answer mail", func(m *parse.Message) bool { return strings.Contains(m.Subject, "Trả lời") })
	if got.TrackingCodes[0] != tk.TrackingCode || !strings.Contains(got.Text, "bổ sung bản sao quyết định") || got.InReplyTo != ack.MessageID {
		t.Errorf("answer mail: subject %q in-reply-to %q text %q", got.Subject, got.InReplyTo, got.Text)
	}

	reply := crlf("From: bich.tran@example.vn\nTo: phananh@localhost\nSubject: Re: trả lời\n" +
		"In-Reply-To: <" + got.MessageID + ">\nReferences: <" + ack.MessageID + "> <" + got.MessageID + ">\n" +
		"Message-ID: <reply.7@example.vn>\nContent-Type: text/plain; charset=utf-8\n\nTôi gửi kèm bản sao quyết định.\n")
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, reply); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 20*time.Second, "reply on the ticket, back in progress", func() bool {
		tk, _ = e.App.Store.TicketByID(ctx, tk.ID)
		return tk != nil && len(tk.Messages) == 2 && tk.Status == desk.StatusInProgress
	})
	if tk.Messages[1].Body != "Tôi gửi kèm bản sao quyết định." || tk.Messages[1].Channel != desk.ChannelEmail {
		t.Errorf("citizen message %+v", tk.Messages[1])
	}
}
