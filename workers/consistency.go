package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
)

// IndexChecker is the periodic search consistency check (issue 7): it
// compares the store with the index and queues ticket:index for every
// ticket the index is missing, and for every doc the index holds whose
// ticket is gone (the task deletes it). Mongo is the truth; an index that
// lost writes — a crash between the store write and the task, a Redis
// flush, an index restored from a backup — heals within one interval.
//
// With a backend that can list its ids (search.IDLister, bleve) the check
// compares id sets; the store side is an _id-only listing, a scan on
// FerretDB that costs well under a second per 10k tickets, fine every ten
// minutes. Without it only counts are compared, and a mismatch queues
// every ticket (the tasks are idempotent).
type IndexChecker struct {
	Store  *store.Store
	Index  search.Index
	Public search.Index // published Q&A; nil when there is none
	Queue  *Queue
	Log    *slog.Logger
	Every  time.Duration
}

// CheckResult is what one check found and queued.
type CheckResult struct {
	Tickets, Indexed  int // counts before the check
	Missing, Orphaned int // queued: in the store only / in the index only
	PublicMissing     int // published but missing from the public index
}

// Run checks every Every until ctx ends. The first check waits one
// interval: a process that just started has nothing to heal yet that the
// reconciler will not re-queue anyway.
func (c *IndexChecker) Run(ctx context.Context) {
	if c.Every <= 0 {
		return
	}
	t := time.NewTicker(c.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.Check(ctx); err != nil && ctx.Err() == nil {
			c.Log.Warn("search consistency check failed", "err", err)
		}
	}
}

// Check runs one comparison and queues what is out of step.
func (c *IndexChecker) Check(ctx context.Context) (CheckResult, error) {
	var r CheckResult
	refs, err := c.Store.TicketRefs(ctx)
	if err != nil {
		return r, err
	}
	r.Tickets = len(refs)
	if r.Indexed, err = c.Index.Count(ctx); err != nil {
		return r, err
	}
	queue := map[string]bool{}
	if lister, ok := c.Index.(search.IDLister); ok {
		ids, err := lister.IDs(ctx)
		if err != nil {
			return r, err
		}
		inIndex := make(map[string]bool, len(ids))
		for _, id := range ids {
			inIndex[id] = true
		}
		inStore := make(map[string]bool, len(refs))
		for _, ref := range refs {
			inStore[ref.ID] = true
			if !inIndex[ref.ID] {
				r.Missing++
				queue[ref.ID] = true
			}
		}
		for _, id := range ids {
			if !inStore[id] {
				r.Orphaned++
				queue[id] = true
			}
		}
	} else if r.Indexed != r.Tickets {
		for _, ref := range refs {
			queue[ref.ID] = true
		}
		r.Missing = max(r.Tickets-r.Indexed, 0)
	}
	if lister, ok := c.Public.(search.IDLister); ok && c.Public != nil {
		ids, err := lister.IDs(ctx)
		if err != nil {
			return r, err
		}
		inPublic := make(map[string]bool, len(ids))
		for _, id := range ids {
			inPublic[id] = true
		}
		published := map[string]bool{}
		for _, ref := range refs {
			if ref.Published {
				published[ref.ID] = true
				if !inPublic[ref.ID] {
					r.PublicMissing++
					queue[ref.ID] = true
				}
			}
		}
		for _, id := range ids {
			if !published[id] {
				queue[id] = true // withdrawn or gone: the task removes it
			}
		}
	}
	for id := range queue {
		if err := c.Queue.EnqueueIndex(ctx, id); err != nil {
			return r, err
		}
	}
	if len(queue) > 0 {
		c.Log.Warn("search index out of step with the store; re-indexing", "tickets", r.Tickets, "indexed", r.Indexed,
			"missing", r.Missing, "orphaned", r.Orphaned, "public_missing", r.PublicMissing)
	}
	return r, nil
}
