package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
)

// IndexHandler copies a ticket from Mongo into the search index. A ticket
// that no longer exists is removed from the index.
type IndexHandler struct {
	Store *store.Store
	Index search.Index
	// Public, when set, is the public Q&A index: it holds the masked
	// question and answer of published tickets only, and nothing else, so
	// public search cannot reach a citizen's own words (PublicDoc).
	Public search.Index
	Clock  desk.Clock
	Log    *slog.Logger
	// Tracker, when set, is told when a ticket's entry is rewritten, so
	// that scoped searches know which changes the index has
	// (ticketsearch/pending.go).
	Tracker IndexTracker
}

// IndexTracker learns when the index task rewrites a ticket's entry:
// Indexing is called before the ticket is read, and the returned func once
// the index holds what was read.
type IndexTracker interface {
	Indexing(ticketID string) (done func())
}

// ProcessTask handles ticket:index.
func (h *IndexHandler) ProcessTask(ctx context.Context, t *asynq.Task) (err error) {
	var p TicketIndexPayload
	if err = decode(t, &p); err != nil {
		return err
	}
	if h.Tracker != nil {
		done := h.Tracker.Indexing(p.TicketID)
		defer func() {
			if err == nil {
				done()
			}
		}()
	}
	ticket, err := h.Store.TicketByID(ctx, p.TicketID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		if h.Public != nil {
			if err := h.Public.Delete(ctx, p.TicketID); err != nil {
				return err
			}
		}
		return h.Index.Delete(ctx, p.TicketID)
	}
	if err != nil {
		return err
	}
	if h.Public != nil {
		if d, ok := PublicDoc(ticket); ok {
			err = h.Public.Index(ctx, d)
		} else {
			err = h.Public.Delete(ctx, ticket.ID)
		}
		if err != nil {
			return err
		}
	}
	return h.Index.Index(ctx, TicketDoc(ticket, h.Clock.Now()))
}

// PublicDoc is the public Q&A projection of a published ticket: the masked
// question as Title and the masked answer as Body, with agency and
// category. It carries no citizen data, phone digits, province or tracking
// code (the public Q&A does not reveal codes), and
// reports false for a ticket that is not published (or was withdrawn).
func PublicDoc(t *desk.Ticket) (search.Doc, bool) {
	p := t.Publication
	if p == nil || p.State != desk.PublicationPublished {
		return search.Doc{}, false
	}
	return search.Doc{
		ID:         t.ID,
		Title:      p.Question,
		Body:       p.Answer,
		Category:   t.Category,
		Agency:     t.Agency,
		AgencyPath: t.AgencyPath,
		Status:     string(t.Status),
		Published:  true,
		CreatedAt:  t.CreatedAt,
		AnsweredAt: p.ApprovedAt,
	}, true
}

// TicketDoc is the search projection of a ticket.
func TicketDoc(t *desk.Ticket, now time.Time) search.Doc {
	d := search.Doc{
		ID:           t.ID,
		TrackingCode: t.TrackingCode,
		Title:        t.Title,
		Body:         t.Body,
		Category:     t.Category,
		Agency:       t.Agency,
		AgencyPath:   t.AgencyPath,
		Province:     t.Citizen.Province,
		Channel:      string(t.Channel),
		Status:       string(t.Status),
		Priority:     string(t.Priority),
		Overdue:      t.OverdueFlag || t.Overdue(now),
		CreatedAt:    t.CreatedAt,
		DueAt:        t.DueAt,
		AnsweredAt:   t.AnsweredAt,
		PhoneLast4:   phone.Last4(t.Citizen.Phone),
	}
	// Citizen messages and public replies are searchable by staff; internal
	// notes go to StaffNotes, which only a staff query that asks for them
	// searches. Published is set here too, but public search never reads
	// this index (see PublicDoc).
	for _, m := range t.Messages {
		if m.Public() {
			d.Messages = append(d.Messages, m.Body)
		} else {
			d.StaffNotes = append(d.StaffNotes, m.Body)
		}
	}
	d.Published = t.Publication != nil && t.Publication.State == desk.PublicationPublished
	return d
}
