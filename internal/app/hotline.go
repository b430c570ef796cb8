package app

import (
	"context"
	"strconv"
	"time"

	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
)

// newHotline builds the hotline service. The consoles' live feed goes
// through Redis pub/sub so that a CTI event posted to any web process
// reaches operators connected to every one; the channel name carries the
// Redis database so that deployments (and parallel tests) sharing one
// Redis server do not hear each other, as pub/sub ignores databases.
func (a *App) newHotline(redisDB int) *hotline.Service {
	n, win, _ := config.ParseRate(a.Cfg.LimitCTI)
	return &hotline.Service{
		Store: a.Store, Intake: a.Intake, Clock: a.Clock, Log: a.Log, Limiter: a.Limiter,
		CTIRule:         ratelimit.Rule{Name: "cti-number", Limit: n, Window: win},
		ConfiguredToken: a.Cfg.CTIToken,
		Broker:          &hotline.Broker{Redis: a.Redis, Channel: "civicdesk:console:" + strconv.Itoa(redisDB), Log: a.Log},
	}
}

// runConsoleFeed starts relaying call events to this process's consoles
// and waits (briefly) until it listens, so that no event published after
// the web server starts is lost. It stops with ctx, which also ends every
// open event stream so that the server can drain.
func (a *App) runConsoleFeed(ctx context.Context) {
	b := a.Hotline.Broker
	ready := b.Ready()
	go b.Run(ctx)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		a.Log.Warn("console feed: Redis subscription slow; starting anyway")
	case <-ctx.Done():
	}
}
