package app

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/province"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/workers"
)

// ProvinceMigration is what MigrateProvinces did.
type ProvinceMigration struct {
	Scanned  int            // tickets read
	Migrated map[string]int // "stored name → current unit" -> tickets moved
	Unknown  map[string]int // stored names that name no unit, left as they are
	Stale    int            // tickets changed by someone else meanwhile; run again
}

// MigrateProvinces moves tickets whose province is a pre-July-2025 name
// (or another spelling of a current unit) to the current unit, keeping the
// stored name in citizen.province_written, with an event on each ticket.
// Each ticket is changed through the versioned update, re-indexed, and the
// report rollups are rebuilt when anything changed. Running it again finds
// nothing to do.
func (a *App) MigrateProvinces(ctx context.Context) (*ProvinceMigration, error) {
	tb := province.For(a.provinces)
	current := map[string]bool{}
	for _, p := range a.provinces {
		current[p] = true
	}
	type todo struct {
		t        *desk.Ticket
		from, to string
		written  bool
	}
	var work []todo
	res := &ProvinceMigration{Migrated: map[string]int{}, Unknown: map[string]int{}}
	err := a.Store.EachTicket(ctx, func(t *desk.Ticket) error {
		res.Scanned++
		p := t.Citizen.Province
		if p == "" || current[p] {
			return nil
		}
		cur, ok := tb.Resolve(p)
		if !ok {
			res.Unknown[p]++
			return nil
		}
		work = append(work, todo{t: t, from: p, to: cur, written: t.Citizen.ProvinceWritten != ""})
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	for _, w := range work {
		set := bson.D{{Key: "citizen.province", Value: w.to}}
		if !w.written {
			set = append(set, bson.E{Key: "citizen.province_written", Value: w.from})
		}
		t, err := a.Tickets.Change(ctx, w.t, w.t.Version, tickets.Change{TicketChange: store.TicketChange{Set: set, Event: desk.Event{
			Actor: "system", Type: desk.EventProvinceUpdated, From: w.from, To: w.to,
			Note: "Nghị quyết 202/2025/QH15 (Resolution 202/2025/QH15)",
		}}, OwnDeadlines: true})
		if desk.ErrorCode(err) == desk.ECONFLICT {
			res.Stale++
			continue
		}
		if err != nil {
			return res, err
		}
		res.Migrated[w.from+" → "+w.to]++
		if err := a.Index.Index(ctx, workers.TicketDoc(t, now)); err != nil {
			return res, fmt.Errorf("re-index %s: %w", t.ID, err)
		}
	}
	if len(res.Migrated) > 0 {
		if _, err := a.Reports().Rebuild(ctx); err != nil {
			return res, fmt.Errorf("report rollups: %w", err)
		}
	}
	return res, nil
}

// Lines renders the result for the command's output, one line per name.
func (m *ProvinceMigration) Lines() []string {
	var out []string
	names := func(c map[string]int) []string {
		var k []string
		for n := range c {
			k = append(k, n)
		}
		sort.Strings(k)
		return k
	}
	tb := 0
	for _, n := range names(m.Migrated) {
		out = append(out, fmt.Sprintf("%6d  %s", m.Migrated[n], n))
		tb += m.Migrated[n]
	}
	for _, n := range names(m.Unknown) {
		out = append(out, fmt.Sprintf("%6d  %q: no such province, left as it is", m.Unknown[n], n))
	}
	out = append(out, fmt.Sprintf("provinces: %d tickets scanned, %d moved to their current unit", m.Scanned, tb))
	if m.Stale > 0 {
		out = append(out, fmt.Sprintf("%d tickets changed meanwhile: run the command again", m.Stale))
	}
	return out
}
