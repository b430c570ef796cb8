package app

// Search in the product (issue 7): the public Q&A index, the staff and
// public search service, topics, and the periodic index consistency check.

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/civicdesk/civicdesk/internal/citizen"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/search/bleve"
	"github.com/civicdesk/civicdesk/internal/search/meili"
	"github.com/civicdesk/civicdesk/internal/ticketsearch"
	"github.com/civicdesk/civicdesk/internal/topics"
	"github.com/civicdesk/civicdesk/internal/workspace"
	"github.com/civicdesk/civicdesk/workers"
)

// PublicIndexUID is the Meilisearch index of published Q&A. It is a separate
// index rather than a filter on the staff index so that public search can
// never reach a citizen's own words: it holds masked text only.
const PublicIndexUID = meili.IndexUID + "_public"

// IndexCheckEvery is how often the consistency check compares the store
// with the index.
const IndexCheckEvery = 10 * time.Minute

// openSearch opens the public Q&A index and builds the search and topics
// services. It runs after the ticket services exist.
func (a *App) openSearch(ctx context.Context) error {
	if !a.SearchOn() {
		a.PublicIndex = search.Disabled{}
	} else if a.Cfg.MeiliURL != "" {
		pi, err := meili.Open(ctx, meili.Options{URL: a.Cfg.MeiliURL, APIKey: a.Cfg.MeiliKey, IndexUID: PublicIndexUID})
		if err != nil {
			return fmt.Errorf("public search index: %w", err)
		}
		a.PublicIndex = pi
	} else {
		pi, err := bleve.Open(filepath.Join(a.Cfg.DataDir, "index-public"), bleve.Options{})
		if err != nil {
			return fmt.Errorf("public search index: %w", err)
		}
		a.PublicIndex = pi
	}
	a.closers = append(a.closers, a.PublicIndex.Close)
	a.Search = &ticketsearch.Service{Store: a.Store, Index: a.Index, Public: a.PublicIndex, Clock: a.Clock, Log: a.Log,
		Reindex: a.Queue.EnqueueIndex, QAID: (&citizen.Service{Secret: a.Secret}).QAID}
	a.Store.OnTicketChange(a.Search.Changed) // scoped searches see this process's changes (ticketsearch/pending.go)
	if a.Tickets != nil {
		a.Tickets.Refile = a.Search.Refile // a moved ticket is re-filed before the move is answered
	}
	a.Topics = &topics.Service{Store: a.Store, Tickets: a.Tickets, Clock: a.Clock, Log: a.Log, Audit: a.Audit,
		Reply: a.topicReply()}
	return a.refillCreatedIndexes(ctx)
}

// refillCreatedIndexes queues every ticket for indexing when an index was
// created empty at this start: a first run, or a new index name after a
// change of schema or of the Vietnamese folding (vnfold.Version). Without
// it search would find nothing until the first periodic consistency check.
// The index tasks are idempotent, so a refill that overlaps a reindex or
// another process doing the same costs only work.
func (a *App) refillCreatedIndexes(ctx context.Context) error {
	type creator interface{ Created() bool }
	fresh := func(ix search.Index) bool {
		c, ok := ix.(creator)
		return ok && c.Created()
	}
	if !fresh(a.Index) && !fresh(a.PublicIndex) {
		return nil
	}
	r, err := a.IndexChecker().Check(ctx)
	if err != nil { // the periodic check retries; not a reason to refuse to start
		a.Log.Warn("search index created empty; refilling it failed", "err", err)
		return nil
	}
	if r.Missing+r.PublicMissing > 0 {
		a.Log.Info("search index created empty: tickets queued for indexing", "tickets", r.Tickets, "queued", r.Missing, "public", r.PublicMissing)
	}
	return nil
}

// SearchOn says whether this process has a search index
// (CIVICDESK_SEARCH is not "none").
func (a *App) SearchOn() bool {
	_, off := a.Index.(search.Disabled)
	return !off
}

// IndexChecker is the periodic consistency check this process runs.
func (a *App) IndexChecker() *workers.IndexChecker {
	return &workers.IndexChecker{Store: a.Store, Index: a.Index, Public: a.PublicIndex, Queue: a.Queue, Log: a.Log, Every: IndexCheckEvery}
}

var _ search.Index = (*bleve.Index)(nil)

// topicReply is how a topic answer replies to each ticket: the workspace
// service's Reply, so that a topic answer is exactly a staff reply (status,
// answer times, SLA clock, audit, answer mail). nil (no workspace) falls
// back to the topics service's built-in answer.
func (a *App) topicReply() topics.ReplyFunc {
	if a.Workspace == nil {
		return nil
	}
	return func(ctx context.Context, actor *desk.User, code string, version int64, body string) (*desk.Ticket, error) {
		return a.Workspace.Reply(ctx, actor, code, workspace.ReplyInput{Version: version, Body: body})
	}
}
