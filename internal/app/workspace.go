package app

import "github.com/civicdesk/civicdesk/internal/workspace"

// newWorkspace builds the agency workspace service (issue 6): staff
// actions on tickets go through the tickets service's compare-and-set
// (clock, index and SLA hooks) and answers are mailed through the queue.
func (a *App) newWorkspace() *workspace.Service {
	return &workspace.Service{Store: a.Store, Tickets: a.Tickets, Catalog: a.Catalog, Clock: a.Clock,
		Mail: a.Queue, Audit: a.Audit, Log: a.Log, Intake: a.Intake}
}
