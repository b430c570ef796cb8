// Package audit records who did what, when, to which record, with the
// state before and after. Every sign-in, permission change, view of a
// ticket's personal data and ticket action calls Record. Entries are
// append-only (store/audit.go has no update or delete).
//
// A failed audit write is logged at error level and does not undo the
// action it records: the action has already been committed by its own
// compare-and-set, and refusing the next request would not bring the
// entry back. The log line carries everything the entry would have held.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Recorder writes audit entries.
type Recorder struct {
	Store *store.Store
	Clock desk.Clock
	Log   *slog.Logger
}

// Entry is what a caller knows about an action.
type Entry struct {
	Actor *desk.User // nil for citizens and the system; see ActorID
	// ActorID names a non-user actor: "citizen" or "system".
	ActorID string
	Action  string // dotted verb, e.g. "ticket.reply"
	Target  string // tracking code, user id, …
	IP      string
	Before  any // marshalled to JSON; nil leaves it empty
	After   any
	Note    string
}

// Record appends e to the audit log. It never fails the caller.
func (r *Recorder) Record(ctx context.Context, e Entry) {
	if r == nil {
		return
	}
	ae := &desk.AuditEntry{At: r.Clock.Now().UTC(), Action: e.Action, Target: e.Target, IP: e.IP, Note: e.Note, Actor: e.ActorID}
	if e.Actor != nil {
		ae.Actor, ae.Role = e.Actor.ID, string(e.Actor.Role)
	}
	if ae.Actor == "" {
		ae.Actor = "system"
	}
	ae.Before, ae.After = marshal(e.Before), marshal(e.After)
	if err := r.Store.InsertAudit(context.WithoutCancel(ctx), ae); err != nil {
		r.Log.Error("audit entry not stored", "err", err, "actor", ae.Actor, "action", ae.Action, "target", ae.Target, "before", ae.Before, "after", ae.After)
	}
}

func marshal(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
