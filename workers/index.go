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
	Clock desk.Clock
	Log   *slog.Logger
}

// ProcessTask handles ticket:index.
func (h *IndexHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p TicketIndexPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	ticket, err := h.Store.TicketByID(ctx, p.TicketID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return h.Index.Delete(ctx, p.TicketID)
	}
	if err != nil {
		return err
	}
	return h.Index.Index(ctx, TicketDoc(ticket, h.Clock.Now()))
}

// TicketDoc is the search projection of a ticket.
func TicketDoc(t *desk.Ticket, now time.Time) search.Doc {
	return search.Doc{
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
		Overdue:      t.Overdue(now),
		CreatedAt:    t.CreatedAt,
		DueAt:        t.DueAt,
		PhoneLast4:   phone.Last4(t.Citizen.Phone),
	}
}
