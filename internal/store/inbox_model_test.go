package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// TestInboxReadModelAgreesWithStore: after random inserts and changes —
// status, agency (units included), assignee, deadlines, overdue flag, SLA
// next check — every inbox view, count and page answered by the read
// model equals the answer of the store's own queries, for every kind of
// actor; and so does the SLA sweep's selection. Part of the tickets exist
// before the model loads, part are written while and after it loads.
func TestInboxReadModelAgreesWithStore(t *testing.T) {
	s := openInternal(t)
	mem, idx := useMemoryReads(s)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(6, 7))
	now := time.Date(2027, 3, 10, 3, 4, 5, 678_901_234, time.UTC)

	paths := [][]string{{"A"}, {"A", "A1"}, {"A", "A2"}, {"B"}, {"B", "B1"}, {"CO"}, {}}
	statuses := []desk.Status{desk.StatusTriage, desk.StatusNew, desk.StatusInProgress, desk.StatusAwaitingCitizen,
		desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed, desk.StatusQuarantined}
	assignees := []string{"", "", "u-lead-a", "u-staff-a", "u-staff-b"}
	reviews := []string{desk.SpamPending, desk.SpamConfirmed, desk.SpamReleased}
	randTime := func() time.Time {
		switch rng.IntN(6) {
		case 0:
			return time.Time{}
		case 1:
			return now // exactly now: the boundary of overdue and due soon
		}
		return now.Add(time.Duration(rng.IntN(10*24*3600)-4*24*3600) * time.Second)
	}
	randTicket := func(i int) *desk.Ticket {
		p := paths[rng.IntN(len(paths))]
		ag := ""
		if len(p) > 0 {
			ag = p[len(p)-1]
		}
		tk := &desk.Ticket{ID: fmt.Sprintf("t%04d", i), TrackingCode: fmt.Sprintf("PA-%05d", i), Version: 1,
			Status: statuses[rng.IntN(len(statuses))], Channel: desk.ChannelWeb, Category: "khac", Agency: ag, AgencyPath: p,
			Title: fmt.Sprint("Phản ánh ", i), CreatedAt: now.Add(-time.Duration(i) * time.Minute), DueAt: randTime(),
			Assignee: assignees[rng.IntN(len(assignees))], OverdueFlag: rng.IntN(4) == 0}
		if rng.IntN(3) > 0 {
			// distinct instants: SLADue's query orders by sla_next_at only
			next := now.Add(time.Duration(i*7919%20000-10000) * time.Second)
			tk.SLANextAt = &next
		}
		if rng.IntN(8) == 0 {
			tk.Tags = []string{desk.TagSpamSuspect}
		}
		if tk.Status == desk.StatusQuarantined {
			tk.Spam = &desk.SpamCheck{Review: reviews[rng.IntN(len(reviews))]}
		}
		return tk
	}

	// Before the model loads: one by one and in bulk.
	n := 0
	for ; n < 60; n++ {
		if _, err := s.InsertTicket(ctx, randTicket(n)); err != nil {
			t.Fatal(err)
		}
	}
	var bulk []*desk.Ticket
	for ; n < 200; n++ {
		bulk = append(bulk, randTicket(n))
	}
	bulk = append(bulk, randTicket(3)) // a duplicate id: skipped by the store, so by the model too
	if err := s.InsertTickets(ctx, bulk); err != nil {
		t.Fatal(err)
	}

	t.Logf("inserted %d", n)
	// Not loaded yet: the in-process side hands the query on, so it
	// answers exactly from the first request.
	co := &desk.User{ID: "u-co", Role: desk.RoleCoordinator}
	agree(t, mem, idx, "inbox before the load", func(r ReadSide) any {
		p, err := r.Inbox(ctx, co, InboxQuery{Limit: 200, Now: now, Counts: true})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(p.Total, ids(p.Rows), p.Counts)
	})
	loaded := make(chan error, 1)
	mem.Start(ctx, func(_ int, _ time.Duration, err error) { loaded <- err })
	change := func(k int) {
		id := fmt.Sprintf("t%04d", rng.IntN(n))
		cur, err := s.TicketByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var set bson.D
		ch := TicketChange{Event: desk.Event{Actor: "test", Type: "test"}}
		switch k % 6 {
		case 0:
			ch.Status = statuses[rng.IntN(len(statuses))]
		case 1:
			p := paths[rng.IntN(len(paths))]
			ag := ""
			if len(p) > 0 {
				ag = p[len(p)-1]
			}
			set = CustodyFields{Agency: ag, AgencyPath: p}.Set()
		case 2:
			ch = SetAssigneeChange(assignees[rng.IntN(len(assignees))], "test", "")
		case 3:
			f := SLAOf(cur)
			f.DueAt, f.Overdue = randTime(), rng.IntN(2) == 0
			f.NextAt = nil
			if rng.IntN(2) == 0 {
				next := now.Add(time.Duration(rng.IntN(20000)-10000)*time.Second + time.Duration(k)*time.Millisecond)
				f.NextAt = &next
			}
			set = f.Set()
		case 4:
			set = bson.D{{Key: "tags", Value: bson.A{desk.TagSpamSuspect}}}
		case 5: // a coordinator's review of the quarantine
			ch.Status = desk.StatusQuarantined
			set = SpamReviewSet(reviews[rng.IntN(len(reviews))], "u-co", now)
		}
		ch.Set = append(ch.Set, set...)
		if _, err := s.UpdateTicketWith(ctx, id, cur.Version, ch, now); err != nil {
			t.Fatal(err)
		}
	}
	// While it loads, then after.
	for k := 0; k < 40; k++ {
		change(k)
	}
	if err := <-loaded; err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded")
	for k := 40; k < 160; k++ {
		change(k)
		if k%30 == 0 {
			if _, err := s.InsertTicket(ctx, randTicket(n)); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if !mem.tickets.ready.Load() {
		t.Fatal("read model not in use after loading")
	}

	actors := []*desk.User{
		{ID: "u-staff-a", Role: desk.RoleStaff, Agency: "A"},
		{ID: "u-a1", Role: desk.RoleStaff, Agency: "A1"},
		{ID: "u-staff-b", Role: desk.RoleStaff, Agency: "B"},
		{ID: "u-co", Role: desk.RoleCoordinator},
		nil,
	}
	queries := []InboxQuery{{Limit: 200}, {Offset: 7, Limit: 5}, {Agency: "A", Statuses: []desk.Status{desk.StatusNew, desk.StatusAnswered, desk.StatusQuarantined}}}
	both := func(fn func(r ReadSide) any) (model, mongo any) {
		return fn(mem), fn(idx)
	}
	t.Logf("changed")
	checked := 0
	for _, a := range actors {
		for _, v := range InboxViews {
			for _, q := range queries {
				q.View, q.Now, q.SoonUntil, q.Counts = v, now, now.Add(40*time.Hour), q.Limit == 200 || q.Offset == 7
				model, mongo := both(func(r ReadSide) any {
					p, err := r.Inbox(ctx, a, q)
					if err != nil {
						t.Fatal(err)
					}
					return p
				})
				mp, sp := model.(*InboxPage), mongo.(*InboxPage)
				name := fmt.Sprintf("actor %v view %q query %+v", a, v, q)
				if mp.Total != sp.Total || !slices.Equal(ids(mp.Rows), ids(sp.Rows)) {
					t.Fatalf("%s: model %d %v, store %d %v", name, mp.Total, ids(mp.Rows), sp.Total, ids(sp.Rows))
				}
				if fmt.Sprint(mp.Counts) != fmt.Sprint(sp.Counts) {
					t.Fatalf("%s: counts model %v, store %v", name, mp.Counts, sp.Counts)
				}
				for i := range mp.Rows {
					if mp.Rows[i] != sp.Rows[i] {
						t.Fatalf("%s: row %d model %+v, store %+v", name, i, mp.Rows[i], sp.Rows[i])
					}
				}
				if q.Limit != 5 {
					continue // the tickets themselves: one page shape is enough
				}
				model, mongo = both(func(r ReadSide) any {
					ts, total, err := r.InboxTickets(ctx, a, q)
					if err != nil {
						t.Fatal(err)
					}
					return fmt.Sprint(total, ticketIDs(ts))
				})
				if model != mongo {
					t.Fatalf("%s: tickets model %v, store %v", name, model, mongo)
				}
				if mp.Total > 0 {
					checked++
				}
			}
		}
	}
	if checked < 25 {
		t.Fatalf("only %d non-empty comparisons: the random data does not exercise the views", checked)
	}
	for _, lim := range []int{5, 500} {
		model, mongo := both(func(r ReadSide) any {
			ts, err := r.SLADue(ctx, now, lim)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(ticketIDs(ts))
		})
		if model != mongo {
			t.Fatalf("SLADue(%d): model %v, store %v", lim, model, mongo)
		}
	}
	quarantined := 0
	for _, review := range reviews {
		for _, page := range [][2]int{{50, 0}, {3, 2}, {200, 5}} {
			agree(t, mem, idx, fmt.Sprintf("Quarantine(%s, %v)", review, page), func(r ReadSide) any {
				ts, total, err := r.Quarantine(ctx, review, page[0], page[1])
				if err != nil {
					t.Fatal(err)
				}
				quarantined += total
				return fmt.Sprint(total, ticketIDs(ts))
			})
		}
	}
	if quarantined == 0 {
		t.Fatal("no quarantined ticket in any review state: the comparison is empty")
	}
	// Look-ups by code: every kind of actor, known and unknown codes.
	for i := 0; i < n+2; i += 7 {
		code := fmt.Sprintf("PA-%05d", i)
		for _, a := range actors {
			agree(t, mem, idx, fmt.Sprintf("TicketByCode(%v, %s)", a, code), func(r ReadSide) any {
				tk, err := r.TicketByCode(ctx, a, code)
				if err != nil {
					return desk.ErrorCode(err)
				}
				return tk.ID + "@" + fmt.Sprint(tk.Version)
			})
		}
		agree(t, mem, idx, "PublicTicket "+code, func(r ReadSide) any {
			tk, err := r.PublicTicket(ctx, code)
			if err != nil {
				return desk.ErrorCode(err)
			}
			return tk.ID + "@" + fmt.Sprint(tk.Version)
		})
	}
	for _, since := range []time.Time{{}, now.Add(-time.Hour), now, now.Add(time.Hour)} {
		agree(t, mem, idx, fmt.Sprint("TicketsChangedSince ", since), func(r ReadSide) any {
			cs, err := r.TicketsChangedSince(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = c.UTC().Format(time.RFC3339Nano)
			}
			slices.Sort(out)
			return out
		})
	}
}

func ids(rows []InboxRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func ticketIDs(ts []*desk.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// OnTicketChange hears every insert and change, once, with the ids.
func TestOnTicketChange(t *testing.T) {
	s := openInternal(t)
	ctx := context.Background()
	var got []string
	s.OnTicketChange(func(ids ...string) { got = append(got, ids...) })
	now := time.Now()
	if _, err := s.InsertTicket(ctx, &desk.Ticket{ID: "x1", TrackingCode: "C1", Version: 1, Status: desk.StatusNew, AgencyPath: []string{}}); err != nil {
		t.Fatal(err)
	}
	if created, err := s.InsertTicket(ctx, &desk.Ticket{ID: "x1", TrackingCode: "C1", Version: 1}); err != nil || created {
		t.Fatalf("duplicate insert: %v %v", created, err)
	}
	if err := s.InsertTickets(ctx, []*desk.Ticket{{ID: "x2", TrackingCode: "C2", AgencyPath: []string{}}, {ID: "x1", TrackingCode: "C1"}, {ID: "x3", TrackingCode: "C3", AgencyPath: []string{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTicketWith(ctx, "x1", 1, TicketChange{Status: desk.StatusInProgress}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTicketWith(ctx, "x1", 1, TicketChange{Status: desk.StatusInProgress}, now); desk.ErrorCode(err) != desk.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	if want := []string{"x1", "x2", "x3", "x1"}; !slices.Equal(got, want) {
		t.Fatalf("hook heard %v, want %v", got, want)
	}
}
