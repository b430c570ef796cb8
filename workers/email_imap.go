package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/email/imapfetch"
)

// TypeIMAPFetch fetches one IMAP mailbox.
const TypeIMAPFetch = "email:imap_fetch"

// IMAPPayload names the mailbox (imapfetch.Mailbox.Name).
type IMAPPayload struct {
	Mailbox string `json:"mailbox"`
}

// NewIMAPFetchTask builds an email:imap_fetch task. Its TaskID is the
// mailbox, so two fetches of one mailbox never run at once, however many
// workers tick.
func NewIMAPFetchTask(mailbox string) (*asynq.Task, error) {
	b, err := json.Marshal(IMAPPayload{Mailbox: mailbox})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeIMAPFetch, b, asynq.TaskID(IMAPTaskID(mailbox)), asynq.Queue(QueueDefault),
		asynq.MaxRetry(3), asynq.Timeout(10*time.Minute)), nil
}

// IMAPTaskID is the task id of a mailbox's fetch.
func IMAPTaskID(mailbox string) string { return "imap:" + mailbox }

// EnqueueIMAPFetch queues a fetch of mailbox unless one is already queued
// or running.
func (q *Queue) EnqueueIMAPFetch(ctx context.Context, mailbox string) error {
	t, err := NewIMAPFetchTask(mailbox)
	if err != nil {
		return err
	}
	_, err = q.Client.EnqueueContext(ctx, t)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

// IMAPHandler runs email:imap_fetch.
type IMAPHandler struct {
	Fetcher   *imapfetch.Fetcher
	Mailboxes []imapfetch.Mailbox
	Log       *slog.Logger
}

// ProcessTask fetches the mailbox. A failure is retried by asynq, and the
// next periodic fetch picks up where the bookkeeping stands anyway.
func (h *IMAPHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p IMAPPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	for _, mb := range h.Mailboxes {
		if mb.Name != p.Mailbox {
			continue
		}
		res, err := h.Fetcher.Fetch(ctx, mb)
		if res.Accepted+res.Duplicate+res.TooLarge > 0 {
			h.Log.Info("imap: fetched", "mailbox", mb.Name, "new", res.Accepted, "again", res.Duplicate, "too_large", res.TooLarge)
		}
		return err
	}
	return fmt.Errorf("mailbox %q is not configured: %w", p.Mailbox, asynq.SkipRetry)
}
