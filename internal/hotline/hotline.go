// Package hotline is the call-center side of civicdesk: call records, the
// PBX's CTI events, the caller's history by phone number, blocked numbers
// and the live event feed behind the operator console.
//
// A call is a record of its own. A call that opens or adds to a ticket
// goes through intake.Accept like every other channel, with the call id as
// the idempotency key, so logging a call twice makes one ticket.
//
// Every operation checks the actor here, in the service: only operators,
// coordinators and admins handle calls (desk.MayHandleCalls).
package hotline

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/province"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Service handles calls.
type Service struct {
	Store   *store.Store
	Intake  *intake.Service
	Broker  *Broker
	Clock   desk.Clock
	Log     *slog.Logger
	Limiter *ratelimit.Limiter
	// CTIRule limits newCall events per calling number.
	CTIRule ratelimit.Rule
	// ConfiguredToken is CIVICDESK_CTI_TOKEN; empty generates one.
	ConfiguredToken string

	tokenMu sync.Mutex
	token   string
}

// currentProvince is the current unit a province written on a call names
// (any spelling, or a pre-2025 name), or the text as written when it names
// none: a call log records what the operator typed, and only a ticket
// made from the call is held to the province list (by intake).
func (s *Service) currentProvince(written string) string {
	if written == "" || s.Intake == nil || s.Intake.Catalog == nil {
		return written
	}
	if cur, ok := province.For(s.Intake.Catalog.Provinces()).Resolve(written); ok {
		return cur
	}
	return written
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Millisecond) }

func forbidden() error {
	return desk.Errorf(desk.EFORBIDDEN, "Chỉ điện thoại viên, điều phối viên và quản trị viên được xem cuộc gọi (operators only).")
}

// LogInput is a call as the operator logs it, from the console or the API.
type LogInput struct {
	// CallID links the log to the PBX's call; empty for a call logged by
	// hand, when one is made up (so only a given id makes a retry safe).
	CallID     string
	Phone      string
	Name       string
	Province   string
	Category   string
	Title      string // new_ticket: defaults to a short summary (see shortTitle)
	Summary    string // what the caller said, recorded faithfully
	Answer     string // answered_on_call: the answer given
	Outcome    desk.Outcome
	TicketCode string // added_to_ticket: the caller's existing ticket
	StartedAt  time.Time
	EndedAt    time.Time
}

// LogResult is a logged call and, when it went through intake, the
// tracking code of the ticket it made or added to.
type LogResult struct {
	Call         *desk.Call
	TrackingCode string
	// Duplicate is true when intake had this call already.
	Duplicate bool
}

func cleanText(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// LogCall records the operator's log of a call. new_ticket and
// added_to_ticket go through intake.Accept with channel hotline and the
// call id as idempotency key. EINVALID lists problems per field and
// stores nothing; EFORBIDDEN for anyone but operators, coordinators and
// admins.
func (s *Service) LogCall(ctx context.Context, actor *desk.User, in LogInput) (*LogResult, error) {
	if !desk.MayHandleCalls(actor) {
		return nil, forbidden()
	}
	fields := map[string]string{}
	in.Summary, in.Answer, in.Name, in.Title = cleanText(in.Summary), cleanText(in.Answer), cleanText(in.Name), cleanText(in.Title)
	in.Province, in.Category, in.TicketCode, in.CallID = cleanText(in.Province), cleanText(in.Category), cleanText(in.TicketCode), strings.TrimSpace(in.CallID)
	if !in.Outcome.Valid() {
		fields["outcome"] = "Kết quả không hợp lệ (unknown outcome)."
	}
	if in.CallID != "" && !validCallID(in.CallID) {
		fields["call_id"] = "Mã cuộc gọi không hợp lệ (invalid call id)."
	}
	if in.Summary == "" {
		fields["summary"] = "Cần ghi nội dung cuộc gọi (a summary is required)."
	} else if utf8.RuneCountInString(in.Summary) > intake.MaxBody {
		fields["summary"] = "Quá dài (too long)."
	}
	if utf8.RuneCountInString(in.Answer) > intake.MaxBody {
		fields["answer"] = "Quá dài (too long)."
	}
	if utf8.RuneCountInString(in.Name) > intake.MaxName {
		fields["name"] = "Quá dài (too long)."
	}
	switch in.Outcome {
	case desk.OutcomeAnswered:
		if in.Answer == "" {
			fields["answer"] = "Cần ghi nội dung đã trả lời (record the answer given)."
		}
	case desk.OutcomeAddedTicket:
		if in.TicketCode == "" {
			fields["ticket"] = "Cần mã phiếu đã có (the existing ticket's code is required)."
		}
	}
	var existing *desk.Call
	if in.CallID != "" && fields["call_id"] == "" {
		c, err := s.Store.CallByCallID(ctx, in.CallID)
		if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
			return nil, err
		}
		existing = c
	}
	ph := strings.TrimSpace(in.Phone)
	if ph != "" {
		n, err := phone.Normalize(ph)
		if err != nil {
			fields["phone"] = phone.Message(err)
		}
		ph = n
	} else if existing != nil {
		ph = existing.Phone
	} else {
		fields["phone"] = "Cần số điện thoại của người gọi (the caller's number is required)."
	}
	var target *desk.Ticket
	if in.Outcome == desk.OutcomeAddedTicket && in.TicketCode != "" {
		code, ok := desk.NormalizeTrackingCode(in.TicketCode)
		if ok {
			t, err := s.Store.TicketByCode(ctx, actor, code)
			if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
				return nil, err
			}
			target = t
		}
		if target == nil {
			fields["ticket"] = "Không tìm thấy phiếu với mã này (no ticket has this code)."
		}
	}
	if len(fields) > 0 {
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Vui lòng kiểm tra lại thông tin cuộc gọi (please check the call form).", Fields: fields}
	}

	now := s.now()
	if in.CallID == "" {
		in.CallID = "m-" + store.NewID()
	}
	res := &LogResult{}
	switch in.Outcome {
	case desk.OutcomeNewTicket:
		title := in.Title
		if title == "" {
			title = shortTitle(in.Summary)
		}
		rec, err := s.Intake.Accept(ctx, intake.Input{Channel: desk.ChannelHotline, IdempotencyKey: "call:" + in.CallID,
			Name: in.Name, Phone: ph, Province: in.Province, Category: in.Category, Title: title, Body: in.Summary})
		if err != nil {
			return nil, err
		}
		res.TrackingCode, res.Duplicate = rec.TrackingCode, rec.Duplicate
	case desk.OutcomeAddedTicket:
		name := in.Name
		if name == "" {
			name = target.Citizen.Name
		}
		if name == "" {
			name = phone.Display(ph)
		}
		rec, err := s.Intake.Accept(ctx, intake.Input{Channel: desk.ChannelHotline, IdempotencyKey: "call:" + in.CallID,
			Name: name, Phone: ph, Category: target.Category, Title: "Bổ sung qua đường dây nóng", Body: in.Summary,
			ReplyTo: target.TrackingCode})
		if err != nil {
			return nil, err
		}
		res.TrackingCode, res.Duplicate = target.TrackingCode, rec.Duplicate
	}
	started := in.StartedAt.UTC().Truncate(time.Millisecond)
	if started.IsZero() || started.After(now) {
		started = now
	}
	if existing != nil {
		started = existing.StartedAt
	}
	ended := in.EndedAt.UTC().Truncate(time.Millisecond)
	if ended.IsZero() || ended.After(now) {
		ended = now
	}
	c := &desk.Call{CallID: in.CallID, Phone: ph, Direction: desk.DirectionIn, StartedAt: started, AnsweredAt: started,
		EndedAt: ended, Day: Day(started), Operator: actor.ID, OperatorName: actor.Name, Outcome: in.Outcome,
		Answer: in.Answer, Summary: in.Summary, CallerName: in.Name, Province: s.currentProvince(in.Province), Category: in.Category,
		TicketCode: res.TrackingCode, LoggedAt: now, UpdatedAt: now}
	// Times the PBX reported stand; the operator's only fill gaps.
	if existing != nil && !existing.AnsweredAt.IsZero() {
		c.AnsweredAt = time.Time{}
	}
	if existing != nil && !existing.EndedAt.IsZero() {
		c.EndedAt = time.Time{}
	}
	saved, err := s.Store.SaveCallLog(ctx, c)
	if err != nil {
		return nil, err
	}
	res.Call = saved
	s.Log.Info("call logged", "call", saved.CallID, "outcome", saved.Outcome, "ticket", res.TrackingCode, "operator", actor.ID)
	return res, nil
}

// titleRunes is about how long a title derived from a call note may be:
// the inbox shows one line of it, and the note itself stays the body.
const titleRunes = 80

// shortTitle derives a ticket title from a call note: the first sentence
// of its first line when that is short, otherwise the words that fit in
// about titleRunes characters followed by "…". Words are never cut; only a
// single word longer than a title may hold is, since intake refuses longer
// titles.
func shortTitle(note string) string {
	line, _, _ := strings.Cut(note, "\n")
	line = strings.Join(strings.Fields(line), " ")
	if end := sentenceEnd(line); end > 0 && utf8.RuneCountInString(line[:end]) <= titleRunes {
		return line[:end]
	}
	if utf8.RuneCountInString(line) <= titleRunes {
		return line
	}
	r := []rune(line)
	cut := -1
	for i := titleRunes; i > 0; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	if cut < 0 { // one long first word (a URL, a code): keep it whole if it fits
		cut = len(r)
		if i := strings.IndexByte(line, ' '); i >= 0 {
			cut = utf8.RuneCountInString(line[:i])
		}
		cut = min(cut, intake.MaxTitle-1)
	}
	return strings.TrimRight(string(r[:cut]), " ,;:-–—") + "…"
}

// sentenceEnd is the byte offset just past the first sentence's closing
// mark (". ", "! ", "? " or the mark ending the line); 0 when there is none.
func sentenceEnd(s string) int {
	for i, r := range s {
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		next := i + utf8.RuneLen(r)
		if next == len(s) || s[next] == ' ' {
			return next
		}
	}
	return 0
}

// History is a caller's history across every channel: the tickets with
// their number (open first, then newest) and their calls.
type History struct {
	Phone   string              `json:"phone"`
	Display string              `json:"display"`
	Name    string              `json:"name"`
	Tickets []*desk.Ticket      `json:"tickets"`
	Calls   []*desk.Call        `json:"calls"`
	Blocked *desk.BlockedNumber `json:"blocked,omitempty"`
	// OldLandline is set when the number as typed is also a landline with
	// a pre-2017 area code ("08 3823 4567": a VinaPhone mobile today, a
	// Sài Gòn landline before 2017); History is the mobile's, and the
	// operator may look this one up too. Display form.
	OldLandline string `json:"old_landline,omitempty"`
	// Queries is how many database round trips the lookup made.
	Queries int `json:"queries"`
}

// History limits: an operator reads the first screen only.
const (
	HistoryTickets = 50
	HistoryCalls   = 20
)

// CallerHistory looks up everything about the caller with number raw,
// written any way phone.Normalize accepts. Every read goes by _id, which
// the embedded store (FerretDB v1) answers without scanning: the caller's
// document in the callers collection (store/callers.go), then each of its
// newest HistoryTickets tickets and HistoryCalls calls, a few at a time,
// then blocked_numbers. That is 1 + tickets + calls + 1 round trips. A
// caller with no document yet (data from before the collection, or bulk
// loaded) is rebuilt from the tickets and calls first, with two scanning
// queries and a write, so that the next lookup is fast.
func (s *Service) CallerHistory(ctx context.Context, actor *desk.User, raw string) (*History, error) {
	if !desk.MayHandleCalls(actor) {
		return nil, forbidden()
	}
	num, err := phone.Parse(raw)
	if err != nil {
		return nil, desk.Errorf(desk.EINVALID, "%s", phone.Message(err))
	}
	n := num.E164
	h := &History{Phone: n, Display: phone.Display(n)}
	if num.OldLandline != "" {
		h.OldLandline = phone.Display(num.OldLandline)
	}
	caller, err := s.Store.Caller(ctx, n)
	if err != nil {
		return nil, err
	}
	h.Queries = 1
	if caller == nil {
		var trips int
		caller, trips, err = s.Store.RebuildCaller(ctx, n)
		h.Queries += trips
		if err != nil {
			return nil, err
		}
		s.Log.Info("caller history: rebuilt the caller index for a number", "phone", phone.Last4(n), "tickets", len(caller.Tickets), "calls", len(caller.Calls))
	}
	ids := func(refs []store.CallerRef, max int) []string {
		out := make([]string, 0, min(len(refs), max))
		for _, r := range refs[:min(len(refs), max)] {
			out = append(out, r.ID)
		}
		return out
	}
	tids, cids := ids(caller.Tickets, HistoryTickets), ids(caller.Calls, HistoryCalls)
	if h.Tickets, err = s.Store.CallerTickets(ctx, actor, n, tids); err != nil {
		return nil, err
	}
	if h.Calls, err = s.Store.CallerCalls(ctx, n, cids); err != nil {
		return nil, err
	}
	h.Queries += len(tids) + len(cids)
	// The index orders calls by the start known when each was recorded;
	// the calls themselves have the final one.
	sort.SliceStable(h.Calls, func(i, j int) bool { return h.Calls[i].StartedAt.After(h.Calls[j].StartedAt) })
	b, err := s.Store.BlockedNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	h.Queries++
	if b != nil && b.Active(s.now()) {
		h.Blocked = b
	}
	// Open tickets first, most urgent due first; then the rest, newest first.
	sort.SliceStable(h.Tickets, func(i, j int) bool {
		a, b := h.Tickets[i], h.Tickets[j]
		if a.Open() != b.Open() {
			return a.Open()
		}
		if a.Open() && !a.DueAt.Equal(b.DueAt) {
			return a.DueAt.Before(b.DueAt)
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
	var newest time.Time
	for _, t := range h.Tickets {
		if t.Citizen.Name != "" && t.CreatedAt.After(newest) {
			h.Name, newest = t.Citizen.Name, t.CreatedAt
		}
	}
	for _, c := range h.Calls {
		if c.CallerName != "" && c.StartedAt.After(newest) {
			h.Name, newest = c.CallerName, c.StartedAt
		}
	}
	// The stored name may come from a ticket outside a scoped actor's view.
	if h.Name == "" && desk.Scope(actor) == nil {
		h.Name = caller.Name
	}
	return h, nil
}

// Calls lists calls for operators and their supervisors.
func (s *Service) Calls(ctx context.Context, actor *desk.User, f desk.CallFilter) ([]*desk.Call, error) {
	if !desk.MayHandleCalls(actor) {
		return nil, forbidden()
	}
	if f.Phone != "" {
		n, err := phone.Normalize(f.Phone)
		if err != nil {
			return nil, desk.Errorf(desk.EINVALID, "%s", phone.Message(err))
		}
		f.Phone = n
	}
	return s.Store.Calls(ctx, f)
}

// MaxBlockReason bounds a block's reason, in characters.
const MaxBlockReason = 500

// Block makes the PBX reject calls from raw until until (zero: for good).
func (s *Service) Block(ctx context.Context, actor *desk.User, raw, reason string, until time.Time) (*desk.BlockedNumber, error) {
	if !desk.MayHandleCalls(actor) {
		return nil, forbidden()
	}
	fields := map[string]string{}
	n, err := phone.Normalize(raw)
	if err != nil {
		fields["phone"] = phone.Message(err)
	}
	reason = cleanText(reason)
	switch {
	case reason == "":
		fields["reason"] = "Cần ghi lý do chặn (a reason is required)."
	case utf8.RuneCountInString(reason) > MaxBlockReason:
		fields["reason"] = "Quá dài (too long)."
	}
	now := s.now()
	if !until.IsZero() && !until.After(now) {
		fields["until"] = "Thời hạn phải ở tương lai (the expiry must be in the future)."
	}
	if len(fields) > 0 {
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Vui lòng kiểm tra lại (please check the form).", Fields: fields}
	}
	b := &desk.BlockedNumber{Phone: n, Reason: reason, ExpiresAt: until.UTC(), By: actor.ID, CreatedAt: now}
	if err := s.Store.BlockNumber(ctx, b); err != nil {
		return nil, err
	}
	s.Log.Info("number blocked", "last4", phone.Last4(n), "by", actor.ID, "until", until)
	return b, nil
}

// Unblock lifts a block.
func (s *Service) Unblock(ctx context.Context, actor *desk.User, raw string) error {
	if !desk.MayHandleCalls(actor) {
		return forbidden()
	}
	n, err := phone.Normalize(raw)
	if err != nil {
		return desk.Errorf(desk.EINVALID, "%s", phone.Message(err))
	}
	return s.Store.UnblockNumber(ctx, n)
}

// Blocks lists the blocks still in force.
func (s *Service) Blocks(ctx context.Context, actor *desk.User) ([]*desk.BlockedNumber, error) {
	if !desk.MayHandleCalls(actor) {
		return nil, forbidden()
	}
	all, err := s.Store.BlockedNumbers(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := all[:0]
	for _, b := range all {
		if b.Active(now) {
			out = append(out, b)
		}
	}
	return out, nil
}
