package bleve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	blevelib "github.com/blevesearch/bleve/v2"

	"github.com/civicdesk/civicdesk/internal/search"
)

// Rebuild implements search.Rebuilder. It fills a new generation from feed,
// replays the writes that arrived meanwhile, then switches to it; on any
// error the live generation is untouched and the new one is removed.
func (x *Index) Rebuild(ctx context.Context, total int, feed func(ctx context.Context, put func(...search.Doc) error) error, progress io.Writer) (err error) {
	x.rebuildMu.Lock()
	defer x.rebuildMu.Unlock()

	x.mu.RLock()
	closed, oldGen := x.closed, x.gen
	x.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	gen, err := nextGen(oldGen)
	if err != nil {
		return err
	}
	path := filepath.Join(x.root, gen)
	_ = os.RemoveAll(path)

	// Journal from before the feed reads anything: a write that lands
	// after this point may be missed by the feed and is replayed below.
	x.journalMu.Lock()
	x.journal = map[string]*search.Doc{}
	x.journalMu.Unlock()
	defer func() {
		x.journalMu.Lock()
		x.journal = nil
		x.journalMu.Unlock()
	}()

	// The offline builder writes segments straight to disk and merges them
	// once at the end: several times faster than online batches, which
	// fsync and merge as they go. Its temporary files stay under our root.
	bld, err := blevelib.NewBuilder(path, x.mapping, map[string]interface{}{
		"buildPathPrefix": x.root,
		"batchSize":       x.batchSize,
	})
	if err != nil {
		return fmt.Errorf("search/bleve: rebuild: create %s: %w", gen, err)
	}
	var idx blevelib.Index
	indexed := 0 // the builder cannot be closed empty (it panics), see dropBuilder
	switched := false
	defer func() {
		if bld != nil {
			x.dropBuilder(bld, indexed)
		}
		if !switched {
			if idx != nil {
				_ = idx.Close()
			}
			_ = os.RemoveAll(path)
		}
	}()

	bar := search.NewProgressBar(total, progress, IndexName)
	var putMu sync.Mutex // feed may call put from several goroutines
	// The builder cannot update a doc; a feed may still yield one twice
	// (a Mongo cursor can return a document that moved during the scan).
	// Later copies are kept aside and applied after the build.
	seen := map[string]struct{}{}
	dups := map[string]*search.Doc{}
	put := func(docs ...search.Doc) error {
		putMu.Lock()
		defer putMu.Unlock()
		for i := range docs {
			d := docs[i]
			if d.ID == "" {
				return errors.New("search/bleve: rebuild: doc without ID")
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, dup := seen[d.ID]; dup {
				dups[d.ID] = &d
				continue
			}
			seen[d.ID] = struct{}{}
			if err := bld.Index(d.ID, toDoc(d)); err != nil {
				return fmt.Errorf("search/bleve: rebuild: index %s: %w", d.ID, err)
			}
			indexed++
		}
		if bar != nil {
			_ = bar.Add(len(docs))
		}
		return nil
	}
	if err := feed(ctx, put); err != nil {
		return fmt.Errorf("search/bleve: rebuild: feed: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if indexed == 0 {
		// Nothing to build: an empty generation is a plain new index.
		x.dropBuilder(bld, 0)
		bld = nil
		_ = os.RemoveAll(path)
		if idx, err = blevelib.New(path, x.mapping); err != nil {
			return fmt.Errorf("search/bleve: rebuild: create %s: %w", gen, err)
		}
	} else {
		err = bld.Close()
		bld = nil
		if err != nil {
			return fmt.Errorf("search/bleve: rebuild: build: %w", err)
		}
		if idx, err = blevelib.Open(path); err != nil {
			return fmt.Errorf("search/bleve: rebuild: open %s: %w", gen, err)
		}
	}
	if err := replay(ctx, idx, dups); err != nil {
		return fmt.Errorf("search/bleve: rebuild: duplicates: %w", err)
	}
	if bar != nil {
		_ = bar.Finish()
	}

	// Switch under the write lock: no search or write is in flight, so
	// the journal is complete and the old index can be closed safely.
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return ErrClosed
	}
	x.journalMu.Lock()
	journal := x.journal
	x.journal = nil
	x.journalMu.Unlock()
	if err := replay(ctx, idx, journal); err != nil {
		x.mu.Unlock()
		return fmt.Errorf("search/bleve: rebuild: replay: %w", err)
	}
	if err := x.writeCurrent(gen); err != nil {
		x.mu.Unlock()
		return err
	}
	old := x.idx
	x.idx, x.gen = idx, gen
	switched = true
	x.mu.Unlock()

	if err := old.Close(); err != nil {
		return fmt.Errorf("search/bleve: rebuild: close old generation: %w", err)
	}
	return os.RemoveAll(filepath.Join(x.root, oldGen))
}

// dropBuilder abandons a builder. One that holds documents is closed (it
// removes its temporary segments); an empty one cannot be closed, so its
// temporary directory is removed directly.
func (x *Index) dropBuilder(bld blevelib.Builder, indexed int) {
	if indexed > 0 {
		_ = bld.Close()
		return
	}
	tmp, _ := filepath.Glob(filepath.Join(x.root, "scorch-offline-build*"))
	for _, dir := range tmp {
		_ = os.RemoveAll(dir)
	}
}

// replay applies journaled writes to the new generation.
func replay(ctx context.Context, idx blevelib.Index, journal map[string]*search.Doc) error {
	if len(journal) == 0 {
		return nil
	}
	b := idx.NewBatch()
	for id, d := range journal {
		if d == nil {
			b.Delete(id)
			continue
		}
		if err := b.Index(id, toDoc(*d)); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return idx.Batch(b)
}

// nextGen returns the generation name after gen ("gen-000001" -> "gen-000002").
func nextGen(gen string) (string, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(gen, "gen-"))
	if err != nil {
		return "", fmt.Errorf("search/bleve: bad generation %q", gen)
	}
	return fmt.Sprintf("gen-%06d", n+1), nil
}
