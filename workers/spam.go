package workers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/textproto"
	"strings"
	"sync/atomic"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/spam"
	"github.com/civicdesk/civicdesk/internal/store"
)

// SameBodyWindow is how far back identical bodies from other senders are
// counted: a campaign runs over hours or days.
const SameBodyWindow = 7 * 24 * time.Hour

// SpamRules holds the scorer built from the administrators' current rules
// (store.CurrentSpamRules), or the built-in rules while none are stored.
// Every worker process reloads it periodically, so an edit made through
// any web process applies everywhere within one period.
type SpamRules struct {
	Store *store.Store
	Log   *slog.Logger

	cur     atomic.Pointer[spam.Scorer]
	version atomic.Int64 // stored version loaded; 0 = built-in rules
}

// Scorer returns the scorer for the current rules. It never returns nil.
func (r *SpamRules) Scorer() *spam.Scorer {
	if r == nil {
		return spam.DefaultScorer()
	}
	if s := r.cur.Load(); s != nil {
		return s
	}
	return spam.DefaultScorer()
}

// Load reads the current rules from the store and swaps them in if they
// changed. A stored document that no longer compiles (it was validated when
// stored, so only a downgrade could cause this) keeps the previous rules
// and is reported.
func (r *SpamRules) Load(ctx context.Context) error {
	d, err := r.Store.CurrentSpamRules(ctx)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if int64(d.Version) == r.version.Load() {
		return nil
	}
	rules, err := spam.ParseRules([]byte(d.Document))
	if err != nil {
		return fmt.Errorf("stored spam rules version %d: %w", d.Version, err)
	}
	sc, err := spam.NewScorer(rules)
	if err != nil {
		return fmt.Errorf("stored spam rules version %d: %w", d.Version, err)
	}
	r.cur.Store(sc)
	r.version.Store(int64(d.Version))
	r.Log.Info("spam rules loaded", "version", d.Version, "by", d.UpdatedBy)
	return nil
}

// Run reloads the rules every period until ctx ends.
func (r *SpamRules) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Load(ctx); err != nil && ctx.Err() == nil {
				r.Log.Warn("spam rules reload failed; keeping the previous rules", "err", err)
			}
		}
	}
}

// spamInput gathers what the scorer needs about sub: the message, the
// signals the web edge recorded (honeypot, form age) and the context only
// the store knows (identical bodies, the sender's history). A failed read
// leaves its count at zero and is logged: those counts can only add
// suspicion, and holding back a citizen because a count could not be read
// would be the worse mistake.
func (h *IntakeHandler) spamInput(ctx context.Context, sub *desk.Submission) spam.Input {
	in := spam.Input{
		Channel: string(sub.Channel), Name: sub.Citizen.Name, Email: sub.Citizen.Email, Phone: sub.Citizen.Phone,
		Province: sub.Citizen.Province, Title: sub.Title, Body: sub.Body, Honeypot: sub.Honeypot, FormAge: sub.FormAge,
	}
	n, err := h.Store.SameBodySenders(ctx, sub, sub.ReceivedAt.Add(-SameBodyWindow))
	if err != nil {
		h.Log.Warn("spam check: counting identical bodies failed", "submission", sub.ID, "err", err)
	}
	in.SameBodyCount = n
	in.SenderSpamCount, in.SenderHamCount, err = h.Store.SenderHistory(ctx, desk.SenderKeys(sub.Citizen))
	if err != nil {
		h.Log.Warn("spam check: reading sender history failed", "submission", sub.ID, "err", err)
	}
	if sub.Channel == desk.ChannelEmail && len(sub.Raw) > 0 {
		in.UpstreamSpam = spam.UpstreamSpamFlag(mailHeader(sub.Raw).Values)
	}
	return in
}

// mailHeader reads the header block of a raw message. A malformed header
// gives what could be read before the fault: the spam flag only adds
// suspicion, so a partial read is no reason to fail the intake.
func mailHeader(raw []byte) textproto.MIMEHeader {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h
}

// screenSpam is the spam step of intake:process, the same for every
// channel. It scores the submission and applies the verdict to the ticket
// about to be inserted:
//
//   - clean: delivered as built, with an internal spam_checked event;
//   - suspect: delivered as built, tagged desk.TagSpamSuspect for the
//     coordinators, with the event;
//   - spam: quarantined. The routing buildTicket computed is undone: no
//     agency, no agency path (so no agency inbox or search sees it), no
//     deadlines and no timers, and nothing is sent to the citizen. The
//     score breakdown is kept on the ticket for the review, which can
//     release it (routing it then) or confirm it.
//
// Re-running it for the same submission gives the same verdict unless the
// rules or the context changed meanwhile; either way the ticket is only
// inserted once.
func (h *IntakeHandler) screenSpam(ctx context.Context, sub *desk.Submission, t *desk.Ticket) {
	res := h.Spam.Scorer().Score(h.spamInput(ctx, sub))
	now := h.Clock.Now().UTC()
	check := &desk.SpamCheck{Score: res.Score, Verdict: string(res.Verdict), RulesVersion: res.RulesVersion, CheckedAt: now}
	for _, s := range res.Signals {
		check.Signals = append(check.Signals, desk.SpamSignal{Rule: s.Rule, Weight: s.Weight, Detail: s.Detail})
	}
	t.Spam = check
	note := fmt.Sprintf("%s, score %.2f (rules v%d)", res.Verdict, res.Score, res.RulesVersion)
	switch res.Verdict {
	case spam.Spam:
		check.Review = desk.SpamPending
		// The routing decision is not kept: release re-runs routing with
		// the rules of that day.
		t.Status = desk.StatusQuarantined
		t.Agency, t.AgencyPath, t.SuggestedAgency = "", []string{}, ""
		t.Priority, t.RoutingRule, t.Hops, t.Custody = "", "", nil, nil
		store.SLAFields{}.ApplyTo(t)
		var kept []desk.Event
		for _, ev := range t.Events {
			if ev.Type == desk.EventReceived {
				kept = append(kept, ev)
			}
		}
		t.Events = append(kept, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventQuarantined, Note: note})
	case spam.Suspect:
		t.Tags = append(t.Tags, desk.TagSpamSuspect)
		t.Events = append(t.Events, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventSpamChecked, To: desk.SpamSuspect, Note: note})
	default:
		t.Events = append(t.Events, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventSpamChecked, To: desk.SpamClean, Note: note})
	}
	if res.Verdict != spam.Clean {
		h.Log.Info("spam check", "submission", sub.ID, "code", sub.TrackingCode, "channel", sub.Channel,
			"verdict", res.Verdict, "score", res.Score, "rules", res.RulesVersion)
	}
}

// Acknowledge reports whether the citizen may be sent the acknowledgement
// for a newly created ticket. Quarantined tickets are never acknowledged;
// the quarantine review calls its release hook (quarantine.Service.
// OnReleased) when a coordinator releases one, and that is where its
// acknowledgement belongs.
func Acknowledge(t *desk.Ticket) bool { return t.Status != desk.StatusQuarantined }

// screenReply scores a submission that names an existing ticket
// (sub.ReplyTo: an e-mail reply threaded by its subject tag or Message-ID)
// before it is appended to that ticket (issue #8). Replies used to bypass
// the spam check entirely, so anyone who saw a tracking code could add a
// betting advert to a citizen's ticket. The decision:
//
//   - clean or suspect: appended as usual; a suspect reply is logged (a
//     message on a ticket has no tags of its own, and the ticket is the
//     citizen's, so it is not tagged for it);
//   - spam from the ticket's own citizen (same e-mail address or phone
//     number): appended anyway and logged. It is their thread; a citizen
//     forwarding the scam text they received must not lose their reply,
//     and quarantine is a state of a whole ticket, which would hide their
//     real complaint;
//   - spam from anyone else: not appended. The reply is detached
//     (ReplyTo cleared, the whole mail used, as for an unknown tag) and
//     goes on as a submission of its own, which screenSpam scores again
//     and quarantines, unacknowledged and never routed, where a
//     coordinator can release or confirm it. Nothing is dropped.
//
// Hotline submissions are exempt: operators file them. A ticket that
// cannot be read leaves the reply to the normal path.
func (h *IntakeHandler) screenReply(ctx context.Context, sub *desk.Submission, mail *inboundMail) {
	if sub.ReplyTo == "" || sub.Channel == desk.ChannelHotline {
		return
	}
	res := h.Spam.Scorer().Score(h.spamInput(ctx, sub))
	if res.Verdict == spam.Clean {
		return
	}
	system := &desk.User{ID: "system", Role: desk.RoleAdmin}
	t, err := h.Store.TicketByCode(ctx, system, sub.ReplyTo)
	if err != nil {
		return // unknown ticket: it becomes a new ticket and is screened then
	}
	if res.Verdict == spam.Suspect || SameCitizen(t.Citizen, sub.Citizen) {
		h.Log.Info("spam check on a reply: appended", "submission", sub.ID, "ticket", t.TrackingCode,
			"verdict", res.Verdict, "score", res.Score, "own_citizen", SameCitizen(t.Citizen, sub.Citizen))
		return
	}
	h.Log.Warn("spam check on a reply: spam from someone other than the ticket's citizen; detached as its own submission",
		"submission", sub.ID, "ticket", t.TrackingCode, "score", res.Score, "rules", res.RulesVersion)
	sub.ReplyTo = ""
	mail.asNewTicket(sub)
}

// SameCitizen reports whether two sets of contact details share an e-mail
// address (case-insensitively) or a phone number. Phone numbers are
// normalised at intake, so plain equality is enough.
func SameCitizen(a, b desk.Citizen) bool {
	if a.Email != "" && strings.EqualFold(strings.TrimSpace(a.Email), strings.TrimSpace(b.Email)) {
		return true
	}
	return a.Phone != "" && a.Phone == b.Phone
}
