package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
)

// TestIndexConsistencyCheckHeals: a doc deleted from the index behind the
// app's back comes back after one consistency check, and a doc whose
// ticket does not exist is removed; a check on a consistent index queues
// nothing.
func TestIndexConsistencyCheckHeals(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	ctx := context.Background()
	var codes []string
	for range 3 {
		codes = append(codes, submitSearchable(t, env, admin, apptest.Submission()))
	}
	check := env.App.IndexChecker()
	if r, err := check.Check(ctx); err != nil || r.Missing != 0 || r.Orphaned != 0 || r.Tickets != 3 || r.Indexed != 3 {
		t.Fatalf("consistent index: %+v %v", r, err)
	}
	victim, err := env.App.Store.TicketByCode(ctx, &desk.User{Role: desk.RoleAdmin}, codes[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Index.Delete(ctx, victim.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Index.Index(ctx, search.Doc{ID: "000000000000000000000000", Title: "không có phiếu này", Agency: "BHXH", AgencyPath: []string{"BHXH"}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, p := searchAPI(t, env, admin, "q="+codes[1]); p == nil || p.Total != 0 {
		t.Fatalf("the deleted doc is still found: %+v", p)
	}
	r, err := check.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Missing != 1 || r.Orphaned != 1 {
		t.Fatalf("check found %+v, want 1 missing and 1 orphaned", r)
	}
	waitSearchable(t, env, admin, codes[1])
	apptest.WaitFor(t, 10*time.Second, "orphan removed", func() bool {
		n, err := env.App.Index.Count(ctx)
		return err == nil && n == 3
	})
	if r, err := check.Check(ctx); err != nil || r.Missing != 0 || r.Orphaned != 0 {
		t.Fatalf("after healing: %+v %v", r, err)
	}
}
