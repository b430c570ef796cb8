package meili

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/meilisearch/meilisearch-go"

	"github.com/civicdesk/civicdesk/internal/search"
)

// rebuildSuffix names the index a rebuild fills before the swap. After the
// swap it holds the previous generation and is deleted.
const rebuildSuffix = "_rebuild"

// Rebuild implements search.Rebuilder: fill "<uid>_rebuild" with the current
// settings, replay writes that arrived meanwhile, swap it with the live
// index (one atomic Meilisearch task: searches see either the old or the
// new documents, never a mix) and delete the old generation.
func (x *Index) Rebuild(ctx context.Context, total int, feed func(ctx context.Context, put func(...search.Doc) error) error, progress io.Writer) error {
	x.rebuildMu.Lock()
	defer x.rebuildMu.Unlock()
	tmp := x.uid + rebuildSuffix

	// A leftover from an interrupted rebuild would mix stale documents in.
	if err := x.dropIndex(ctx, tmp); err != nil {
		return err
	}
	if _, err := x.prepare(ctx, tmp); err != nil {
		return err
	}
	swapped := false
	defer func() {
		if !swapped {
			_ = x.dropIndex(context.WithoutCancel(ctx), tmp)
		}
	}()

	x.journalMu.Lock()
	x.journal = map[string]*search.Doc{}
	x.journalMu.Unlock()
	defer func() {
		x.journalMu.Lock()
		x.journal = nil
		x.journalMu.Unlock()
	}()

	bar := search.NewProgressBar(total, progress, IndexUID)
	var putMu sync.Mutex
	put := func(docs ...search.Doc) error {
		putMu.Lock()
		defer putMu.Unlock()
		// Wait per batch: it keeps at most one batch queued in Meilisearch
		// and reports a bad document near where it came from.
		if err := x.addDocuments(ctx, tmp, docs, true); err != nil {
			return err
		}
		if bar != nil {
			_ = bar.Add(len(docs))
		}
		return nil
	}
	if err := feed(ctx, put); err != nil {
		return fmt.Errorf("search/meili: rebuild: feed: %w", err)
	}
	if bar != nil {
		_ = bar.Finish()
	}
	// swap-indexes needs both indexes to exist.
	if _, err := x.prepare(ctx, x.uid); err != nil {
		return err
	}

	x.mu.Lock()
	x.journalMu.Lock()
	journal := x.journal
	x.journal = nil
	x.journalMu.Unlock()
	err := x.replay(ctx, tmp, journal)
	if err == nil {
		err = x.swap(ctx, tmp)
	}
	x.mu.Unlock()
	if err != nil {
		return err
	}
	swapped = true
	return x.dropIndex(ctx, tmp)
}

// replay applies journaled writes to index uid.
func (x *Index) replay(ctx context.Context, uid string, journal map[string]*search.Doc) error {
	var docs []search.Doc
	var deleted []string
	for id, d := range journal {
		if d == nil {
			deleted = append(deleted, id)
		} else {
			docs = append(docs, *d)
		}
	}
	if len(docs) > 0 {
		if err := x.addDocuments(ctx, uid, docs, true); err != nil {
			return fmt.Errorf("search/meili: rebuild: replay: %w", err)
		}
	}
	if len(deleted) > 0 {
		if err := x.deleteDocuments(ctx, uid, deleted, true); err != nil {
			return fmt.Errorf("search/meili: rebuild: replay: %w", err)
		}
	}
	return nil
}

func (x *Index) swap(ctx context.Context, tmp string) error {
	task, err := x.client.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{x.uid, tmp}}})
	if err != nil {
		return fmt.Errorf("search/meili: rebuild: swap: %w", err)
	}
	if err := x.wait(ctx, task); err != nil {
		return fmt.Errorf("search/meili: rebuild: swap: %w", err)
	}
	return nil
}

// dropIndex deletes index uid; a missing index is not an error.
func (x *Index) dropIndex(ctx context.Context, uid string) error {
	task, err := x.client.DeleteIndex(ctx, uid)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return fmt.Errorf("search/meili: delete index %s: %w", uid, err)
	}
	t, err := x.client.WaitForTask(ctx, task.TaskUID, x.opts.PollInterval)
	if err != nil {
		return fmt.Errorf("search/meili: delete index %s: %w", uid, err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded && t.Error.Code != meilisearch.APIErrCodeIndexNotFound {
		return errors.New("search/meili: delete index " + uid + ": " + t.Error.Message)
	}
	return nil
}
