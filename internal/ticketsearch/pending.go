package ticketsearch

import (
	"context"
	"sync"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/workers"
)

// pending tracks the tickets this process changed whose index entry has
// not been rewritten since: between a transfer and its ticket:index task,
// the index still files the ticket under its old agency, and its facet
// counts and totals would still count it for the old agency's staff. A
// scoped search first re-indexes what is pending (flush), so its counts
// come from an index that has every change this process made.
//
// Each mark carries a sequence number; the index task clears a mark only
// if no newer change came in while it ran (Indexing), so a change made
// during indexing stays pending. Only this process's writes are seen: with
// several web processes on MongoDB, a transfer made in another process is
// re-filed by that process before it is answered (Refile), and a hit from
// the milliseconds in between is caught by the re-check; only its facet
// count can linger for those milliseconds.
type pending struct {
	mu  sync.Mutex
	seq uint64
	ids map[string]uint64
}

// maxFlush bounds the re-indexing one search does; the index tasks catch
// up with the rest.
const maxFlush = 200

// Changed is the store's OnTicketChange hook. A call with many ids is a
// bulk insert of new tickets (demo data, benchmarks): new tickets have no
// stale index entry to correct, so they are not tracked.
func (s *Service) Changed(ids ...string) {
	if len(ids) != 1 {
		return
	}
	p := &s.pending
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[string]uint64{}
	}
	p.seq++
	p.ids[ids[0]] = p.seq
}

// Indexing is called by the index task before it reads ticket id; the
// returned func, called once the index holds what was read, clears the
// mark unless the ticket changed again meanwhile.
func (s *Service) Indexing(id string) func() {
	p := &s.pending
	p.mu.Lock()
	seq, ok := p.ids[id]
	p.mu.Unlock()
	if !ok {
		return func() {}
	}
	return func() {
		p.mu.Lock()
		if p.ids[id] == seq {
			delete(p.ids, id)
		}
		p.mu.Unlock()
	}
}

// Pending reports how many changed tickets wait for their index entry.
func (s *Service) Pending() int {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	return len(s.pending.ids)
}

// flush re-indexes the pending tickets (at most maxFlush) before a scoped
// search.
func (s *Service) flush(ctx context.Context) error {
	p := &s.pending
	p.mu.Lock()
	marks := make(map[string]uint64, min(len(p.ids), maxFlush))
	for id, seq := range p.ids {
		if len(marks) == maxFlush {
			break
		}
		marks[id] = seq
	}
	p.mu.Unlock()
	if len(marks) == 0 {
		return nil
	}
	now := s.Clock.Now()
	var docs []search.Doc
	var gone []string
	for id := range marks {
		t, err := s.Store.TicketByID(ctx, id)
		switch {
		case desk.ErrorCode(err) == desk.ENOTFOUND:
			gone = append(gone, id)
		case err != nil:
			return err
		default:
			docs = append(docs, workers.TicketDoc(t, now))
		}
	}
	if err := s.Index.Index(ctx, docs...); err != nil {
		return err
	}
	if err := s.Index.Delete(ctx, gone...); err != nil {
		return err
	}
	p.mu.Lock()
	for id, seq := range marks {
		if p.ids[id] == seq {
			delete(p.ids, id)
		}
	}
	p.mu.Unlock()
	return nil
}
