package search

import "context"

// IDLister is implemented by backends that can list every doc ID cheaply.
// The periodic consistency check (workers/consistency.go) uses it to find
// exactly which tickets are missing from the index, or linger in it after
// their ticket is gone; without it the check can only compare counts.
type IDLister interface {
	IDs(ctx context.Context) ([]string, error)
}
