// Package bleve is the embedded ticket search backend: a bleve (scorch)
// index on local disk, the default when no Meilisearch is configured.
//
// Layout under the directory given to Open:
//
//	<dir>/<IndexName>/CURRENT    name of the live generation, e.g. "gen-000003"
//	<dir>/<IndexName>/gen-000003/ the bleve index of that generation
//
// Rebuild fills a new generation next to the live one and then switches
// CURRENT (written to a temporary file and renamed, so it is atomic) and
// the in-memory pointer under a lock; searches keep using the old generation
// until the switch. The index is owned by one process (bleve locks it), so
// a reindex runs inside the server process or while the server is stopped.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	blevelib "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/civicdesk/civicdesk/internal/search"
)

// DefaultBatchSize is the number of docs per bleve batch when indexing in
// bulk. Larger batches make fewer, bigger segments (less merging); 1000 keeps
// memory per batch small at ticket sizes.
const DefaultBatchSize = 1000

// Options tune an Index. The zero value is fine.
type Options struct {
	// BatchSize is the bulk indexing batch size; 0 means DefaultBatchSize.
	BatchSize int
}

// Index is the bleve implementation of search.Index and search.Rebuilder.
// It is safe for concurrent use.
type Index struct {
	root      string // <dir>/IndexName
	mapping   *mapping.IndexMappingImpl
	batchSize int

	// mu guards idx and gen: searches and writes hold it for reading, the
	// generation switch of Rebuild holds it for writing.
	mu     sync.RWMutex
	idx    blevelib.Index
	gen    string
	closed bool
	// created is set when Open made a new, empty index rather than
	// reopening one (first start, or a new IndexName after a schema or
	// folding change).
	created bool

	// rebuildMu allows one Rebuild at a time.
	rebuildMu sync.Mutex
	// journal records writes made while a Rebuild runs (nil when none
	// does): id -> latest doc, or nil for a delete. They are replayed into
	// the new generation before the switch, so an edit made during a
	// reindex is not lost even if the feed read the ticket before the edit.
	journalMu sync.Mutex
	journal   map[string]*search.Doc

	// Group commit: concurrent Index calls share one bleve batch. Each
	// bleve batch becomes a segment that the merger must later fold in,
	// so a burst of single-ticket index tasks written one by one spends
	// most of its time merging (measured: 16 % of the CPU of a
	// 500-submission burst).
	groupMu  sync.Mutex
	pending  *group // docs waiting for the next commit
	flushing bool   // a caller is committing groups
}

// group is the docs of the Index calls that wait for one commit.
type group struct {
	docs []search.Doc
	done chan struct{}
	err  error
}

var (
	_ search.Index     = (*Index)(nil)
	_ search.Rebuilder = (*Index)(nil)
)

// ErrClosed is returned by calls on a closed Index.
var ErrClosed = errors.New("search/bleve: index closed")

const currentFile = "CURRENT"

// Open opens the ticket index under dir, creating it if needed. Stale
// generations left by an interrupted rebuild are removed.
func Open(dir string, opts Options) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: mapping: %w", err)
	}
	x := &Index{root: filepath.Join(dir, IndexName), mapping: m, batchSize: opts.BatchSize}
	if x.batchSize <= 0 {
		x.batchSize = DefaultBatchSize
	}
	if err := os.MkdirAll(x.root, 0o755); err != nil {
		return nil, err
	}
	gen, err := x.readCurrent()
	if err != nil {
		return nil, err
	}
	var idx blevelib.Index
	created := gen == ""
	if created {
		gen = "gen-000001"
		_ = os.RemoveAll(filepath.Join(x.root, gen))
		if idx, err = blevelib.New(filepath.Join(x.root, gen), m); err != nil {
			return nil, fmt.Errorf("search/bleve: create: %w", err)
		}
		if err := x.writeCurrent(gen); err != nil {
			_ = idx.Close()
			return nil, err
		}
	} else if idx, err = blevelib.Open(filepath.Join(x.root, gen)); err != nil {
		return nil, fmt.Errorf("search/bleve: open %s: %w", gen, err)
	}
	x.idx, x.gen, x.created = idx, gen, created
	x.removeStale()
	return x, nil
}

// Created reports whether Open created this index empty instead of
// reopening a stored one. The server then refills it from the store at
// start, which is how a change of schema or folding version rebuilds.
func (x *Index) Created() bool { return x.created }

// readCurrent returns the live generation name, or "" for a new index.
func (x *Index) readCurrent() (string, error) {
	b, err := os.ReadFile(filepath.Join(x.root, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	gen := strings.TrimSpace(string(b))
	if !strings.HasPrefix(gen, "gen-") || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("search/bleve: corrupt %s: %q", currentFile, gen)
	}
	return gen, nil
}

// writeCurrent atomically points CURRENT at gen: write, fsync, rename.
func (x *Index) writeCurrent(gen string) error {
	tmp := filepath.Join(x.root, currentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(gen + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(x.root, currentFile))
}

// removeStale deletes generation directories other than the live one and
// temporary build directories, both left by an interrupted rebuild.
func (x *Index) removeStale() {
	entries, _ := os.ReadDir(x.root)
	for _, e := range entries {
		stale := (strings.HasPrefix(e.Name(), "gen-") && e.Name() != x.gen) ||
			strings.HasPrefix(e.Name(), "scorch-offline-build")
		if e.IsDir() && stale {
			_ = os.RemoveAll(filepath.Join(x.root, e.Name()))
		}
	}
}

// current returns the live index with mu read-locked; the caller must call
// the returned release.
func (x *Index) current() (blevelib.Index, func(), error) {
	x.mu.RLock()
	if x.closed {
		x.mu.RUnlock()
		return nil, nil, ErrClosed
	}
	return x.idx, x.mu.RUnlock, nil
}

// Index implements search.Index. Docs are written in batches of BatchSize.
func (x *Index) Index(ctx context.Context, docs ...search.Doc) error {
	for _, d := range docs {
		if d.ID == "" {
			return fmt.Errorf("search/bleve: doc without ID")
		}
	}
	if len(docs) >= x.batchSize {
		return x.write(ctx, docs) // bulk: batches of its own
	}
	x.groupMu.Lock()
	g := x.pending
	if g == nil {
		g = &group{done: make(chan struct{})}
		x.pending = g
	}
	g.docs = append(g.docs, docs...)
	lead := !x.flushing
	x.flushing = x.flushing || lead
	x.groupMu.Unlock()
	if lead {
		// Commit the waiting groups, ours first, until none is left; the
		// calls that arrive meanwhile join the next group.
		for {
			x.groupMu.Lock()
			next := x.pending
			x.pending = nil
			if next == nil {
				x.flushing = false
				x.groupMu.Unlock()
				break
			}
			x.groupMu.Unlock()
			next.err = x.write(context.WithoutCancel(ctx), next.docs)
			close(next.done)
		}
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write indexes docs in batches of batchSize and journals them.
func (x *Index) write(ctx context.Context, docs []search.Doc) error {
	idx, release, err := x.current()
	if err != nil {
		return err
	}
	defer release()
	if err := indexBatches(ctx, idx, x.batchSize, docs); err != nil {
		return err
	}
	x.record(docs, nil)
	return nil
}

// indexBatches writes docs to idx in batches.
func indexBatches(ctx context.Context, idx blevelib.Index, size int, docs []search.Doc) error {
	for len(docs) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(size, len(docs))
		b := idx.NewBatch()
		for _, d := range docs[:n] {
			if err := b.Index(d.ID, toDoc(d)); err != nil {
				return fmt.Errorf("search/bleve: index %s: %w", d.ID, err)
			}
		}
		if err := idx.Batch(b); err != nil {
			return fmt.Errorf("search/bleve: batch: %w", err)
		}
		docs = docs[n:]
	}
	return nil
}

// Delete implements search.Index.
func (x *Index) Delete(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	idx, release, err := x.current()
	if err != nil {
		return err
	}
	defer release()
	b := idx.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("search/bleve: delete: %w", err)
	}
	x.record(nil, ids)
	return nil
}

// record adds writes to the rebuild journal if a rebuild is running.
func (x *Index) record(docs []search.Doc, deleted []string) {
	x.journalMu.Lock()
	defer x.journalMu.Unlock()
	search.Journal(x.journal).Record(docs, deleted)
}

// Count implements search.Index.
func (x *Index) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	idx, release, err := x.current()
	if err != nil {
		return 0, err
	}
	defer release()
	n, err := idx.DocCount()
	return int(n), err
}

// Close implements search.Index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	return x.idx.Close()
}

// Dir returns the directory of the live generation; benchmarks use it to
// report the size of the index on disk.
func (x *Index) Dir() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return filepath.Join(x.root, x.gen)
}
