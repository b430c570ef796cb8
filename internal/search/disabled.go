package search

import (
	"context"
	"errors"
)

// ErrDisabled is returned by the searches of a Disabled index. The web
// layer answers it with 503 and a message naming CIVICDESK_SEARCH.
var ErrDisabled = errors.New("search: turned off (CIVICDESK_SEARCH=none)")

// Disabled is the index of a deployment that runs without search
// (CIVICDESK_SEARCH=none): several processes on one external store cannot
// share a per-process bleve index, and not every site runs Meilisearch.
// Writes are dropped quietly, so intake and indexing tasks carry on;
// searches fail with ErrDisabled; Similar finds nothing, so intake creates
// tickets without duplicate suggestions.
type Disabled struct{}

var _ Index = Disabled{}

// Index drops docs: there is nothing to keep them in.
func (Disabled) Index(context.Context, ...Doc) error { return nil }

// Delete does nothing.
func (Disabled) Delete(context.Context, ...string) error { return nil }

// Search fails with ErrDisabled.
func (Disabled) Search(context.Context, Query) (*Result, error) { return nil, ErrDisabled }

// Count fails with ErrDisabled.
func (Disabled) Count(context.Context) (int, error) { return 0, ErrDisabled }

// Similar finds nothing.
func (Disabled) Similar(context.Context, Doc, SimilarQuery) ([]Hit, error) { return nil, nil }

// Close does nothing.
func (Disabled) Close() error { return nil }
