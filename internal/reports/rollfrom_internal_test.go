package reports

import (
	"context"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// RollTicketsFrom lets the benchmark build and store the rollups of
// generated tickets through the same code as Rebuild, without first
// inserting 100,000 tickets into the embedded store (the dashboard reads
// only rollups, so what it measures is the same).
func (s *Service) RollTicketsFrom(ctx context.Context, ts []*desk.Ticket) (int, error) {
	return s.rollTicketsFrom(ctx, nil, func(fn func(*desk.Ticket) error) error {
		for _, t := range ts {
			if err := fn(t); err != nil {
				return err
			}
		}
		return nil
	})
}
