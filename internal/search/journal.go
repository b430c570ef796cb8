package search

// Journal holds the writes made while a Rebuild fills a new generation,
// keyed by doc id (nil = deleted), so they can be replayed into it before
// the swap. Both backends keep one; the caller holds its own lock.
type Journal map[string]*Doc

// Record notes upserted docs and deleted ids. A nil Journal (no rebuild
// running) records nothing.
func (j Journal) Record(docs []Doc, deleted []string) {
	if j == nil {
		return
	}
	for i := range docs {
		d := docs[i]
		j[d.ID] = &d
	}
	for _, id := range deleted {
		j[id] = nil
	}
}
