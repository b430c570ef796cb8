package main

import (
	"context"
	"fmt"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/store"
)

// calendarFor returns the calendar the calendar command computes with:
// with CIVICDESK_MONGO_URI set, the statutory days plus the overrides
// admins stored; otherwise the statutory days alone (the embedded store
// belongs to the running server, so the command does not open it).
func calendarFor(ctx context.Context, cfg *config.Config) (*calendar.Calendar, error) {
	if cfg.MongoURI == "" {
		return calendar.New(nil)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg.MongoURI, cfg.MongoDatabase)
	if err != nil {
		return nil, err
	}
	defer st.Close(context.Background())
	ov, err := st.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.New(ov)
	if err != nil {
		return nil, fmt.Errorf("stored calendar overrides: %w", err)
	}
	return cal, nil
}
