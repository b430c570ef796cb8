package app

import (
	"context"
	"time"

	"github.com/civicdesk/civicdesk/internal/quarantine"
	"github.com/civicdesk/civicdesk/workers"
)

// SpamRulesRefresh is how often a worker process reloads the spam rules,
// so an administrator's edit through any web process applies everywhere
// within it.
const SpamRulesRefresh = 10 * time.Second

// spamRules loads the current spam rules and keeps them fresh until ctx
// ends. A failed first load keeps the built-in rules; the next refresh
// tries again.
func (a *App) spamRules(ctx context.Context) *workers.SpamRules {
	r := &workers.SpamRules{Store: a.Store, Log: a.Log}
	if err := r.Load(ctx); err != nil {
		a.Log.Warn("spam rules not loaded; using the built-in rules until the next refresh", "err", err)
	}
	go r.Run(ctx, SpamRulesRefresh)
	return r
}

// newQuarantine builds the quarantine review. Its release hook is where
// the citizen's acknowledgement goes once acknowledgements exist: a
// quarantined ticket was never acknowledged.
func (a *App) newQuarantine() *quarantine.Service {
	return &quarantine.Service{Store: a.Store, Tickets: a.Tickets, Clock: a.Clock, Log: a.Log}
}
