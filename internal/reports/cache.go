package reports

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/civicdesk/civicdesk/internal/store"
)

// rollupCache holds every rollup document in memory, so that a dashboard
// or public page adds up documents without reading them: a year of 50
// agencies is some 18,000 small documents, which FerretDB takes seconds
// to read and decode, and which a request adds up in milliseconds.
//
// It follows the store's rollup generation (store.RollupState, one read
// by _id per request). Rollups this process writes are applied in place
// (applied), so on the embedded store, where the roller runs in the same
// process, the cache is never reloaded after the first load. A generation
// it did not write — a separate worker process on MongoDB, or a write that
// raced with the first load — makes the request reload everything before
// it answers (on MongoDB a few thousand small documents by index), so an
// answer never lags the store. While this process is itself writing
// rollups, requests answer from memory: the write is applied the moment
// it lands.
type rollupCache struct {
	mu     sync.RWMutex
	loaded bool
	gen    int64
	docs   map[string]*store.Rollup // by _id; never mutated once stored

	loadMu  sync.Mutex   // one load at a time
	writing atomic.Int32 // rollup writes of this process in flight
}

// rollups returns the cached rollups of kind with day in [from, to] (""
// for no bound) and agency in agencies (nil for every agency).
func (s *Service) rollups(ctx context.Context, kind, from, to string, agencies []string) ([]*store.Rollup, error) {
	if err := s.freshen(ctx); err != nil {
		return nil, err
	}
	c := &s.rc
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*store.Rollup, 0, len(c.docs))
	for _, r := range c.docs {
		if r.Kind != kind || (from != "" && r.Day < from) || (to != "" && r.Day > to) ||
			(agencies != nil && !slices.Contains(agencies, r.Agency)) {
			continue
		}
		out = append(out, r)
	}
	// Map order is random; the sums do not care, but the oldest BuiltAt
	// and any list built from the documents should not vary.
	slices.SortFunc(out, func(a, b *store.Rollup) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out, nil
}

// freshen loads the cache on first use, and again when the store's
// generation moved past it by a write this process did not apply.
func (s *Service) freshen(ctx context.Context) error {
	c := &s.rc
	c.mu.RLock()
	loaded, gen := c.loaded, c.gen
	c.mu.RUnlock()
	if !loaded {
		return s.reload(ctx)
	}
	cur, _, err := s.Store.RollupState(ctx)
	if err != nil {
		s.Log.Warn("report rollups: generation not read; serving the figures in memory", "err", err)
		return nil
	}
	if cur == gen || c.writing.Load() > 0 {
		return nil
	}
	if err := s.reload(ctx); err != nil {
		s.Log.Warn("report rollups: reload failed; serving the previous figures", "err", err)
	}
	return nil
}

// Warm loads the cache, so that the first dashboard after start does not
// wait for it.
func (s *Service) Warm(ctx context.Context) error { return s.freshen(ctx) }

// reload reads every rollup document and the generation they belong to.
func (s *Service) reload(ctx context.Context) error {
	c := &s.rc
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	gen, _, err := s.Store.RollupState(ctx)
	if err != nil {
		return err
	}
	c.mu.RLock()
	current := c.loaded && c.gen == gen
	c.mu.RUnlock()
	if current {
		return nil // loaded meanwhile by another request
	}
	docs, err := s.Store.Rollups(ctx, "", "", "", nil)
	if err != nil {
		return err
	}
	m := make(map[string]*store.Rollup, len(docs))
	for _, d := range docs {
		m[d.ID] = d
	}
	c.mu.Lock()
	c.docs, c.gen, c.loaded = m, gen, true
	c.mu.Unlock()
	return nil
}

// applied puts rollups this process just stored into the cache: the
// documents of kind for days (all days when nil) become docs. gen is the
// generation ReplaceRollups returned; when it is not the next one after
// the cache's, someone else wrote too, and the next request reloads.
func (s *Service) applied(kind string, days []string, docs []*store.Rollup, gen int64) {
	c := &s.rc
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded || gen != c.gen+1 {
		return
	}
	m := make(map[string]*store.Rollup, len(c.docs)+len(docs))
	for id, d := range c.docs {
		if d.Kind == kind && (days == nil || slices.Contains(days, d.Day)) {
			continue
		}
		m[id] = d
	}
	for _, d := range docs {
		m[d.ID] = d
	}
	c.docs, c.gen = m, gen
}
