package app

import (
	"context"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Cal returns the current working-day calendar: the statutory days plus
// the overrides stored by admins, as last loaded.
func (a *App) Cal() *calendar.Calendar { return a.cal.Load() }

// liveCalendar is the desk.Calendar the workers use; it follows reloads.
type liveCalendar struct{ a *App }

func (l liveCalendar) AddWorkingDays(from time.Time, n int) time.Time {
	return l.a.Cal().AddWorkingDays(from, n)
}

// loadCalendar builds the calendar from the stored overrides and swaps it
// in. Stored overrides were checked when saved; if they no longer build a
// calendar the current one is kept and the error returned.
func (a *App) loadCalendar(ctx context.Context) error {
	ov, err := a.Store.Overrides(ctx)
	if err != nil {
		return err
	}
	cal, err := calendar.New(ov)
	if err != nil {
		return err
	}
	a.cal.Store(cal)
	return nil
}

func (a *App) newTickets() *tickets.Service {
	return &tickets.Service{
		Store: a.Store, Catalog: a.Catalog, Provinces: func() []string { return a.provinces },
		Calendar: a.Cal, Clock: a.Clock, Tasks: a.Queue, Audit: a.Audit, Log: a.Log,
		WarnDays: a.Cfg.SLAWarnDays, EscalateDays: a.Cfg.SLAEscalateDays,
		CalendarChanged: a.loadCalendar,
	}
}
