package store

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SlowCommands returns a client option that logs, at warn level, every
// database command that takes longer than threshold: its name, collection,
// the field names of its filter and sort (never their values, which hold
// phone numbers and e-mail addresses) and how long it took. A zero
// threshold logs nothing. It is how an operator finds the query that scans
// (on the embedded store, anything not read by _id).
func SlowCommands(log *slog.Logger, threshold time.Duration) func(*options.ClientOptions) {
	return func(o *options.ClientOptions) {
		if threshold <= 0 || log == nil {
			return
		}
		var started sync.Map // request id → shape
		chainMonitor(o, &event.CommandMonitor{
			Started: func(_ context.Context, e *event.CommandStartedEvent) {
				started.Store(e.RequestID, commandShape(e.CommandName, e.Command))
			},
			Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
				shape, _ := started.LoadAndDelete(e.RequestID)
				if e.Duration >= threshold {
					log.Warn("slow database command", "command", e.CommandName, "shape", shape, "ms", e.Duration.Milliseconds())
				}
			},
			Failed: func(_ context.Context, e *event.CommandFailedEvent) {
				started.Delete(e.RequestID)
			},
		})
	}
}

// WatchCommands returns a client option that hands every command event to
// m as well, beside any monitor already set (SlowCommands). Tests use it to
// record which queries the store sends and to count round trips; nil
// changes nothing.
func WatchCommands(m *event.CommandMonitor) func(*options.ClientOptions) {
	return func(o *options.ClientOptions) {
		if m != nil {
			chainMonitor(o, m)
		}
	}
}

// chainMonitor sets m as o's command monitor, calling the monitor already
// set first: the driver takes only one.
func chainMonitor(o *options.ClientOptions, m *event.CommandMonitor) {
	prev := o.Monitor
	if prev == nil {
		o.SetMonitor(m)
		return
	}
	o.SetMonitor(&event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if prev.Started != nil {
				prev.Started(ctx, e)
			}
			if m.Started != nil {
				m.Started(ctx, e)
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			if prev.Succeeded != nil {
				prev.Succeeded(ctx, e)
			}
			if m.Succeeded != nil {
				m.Succeeded(ctx, e)
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			if prev.Failed != nil {
				prev.Failed(ctx, e)
			}
			if m.Failed != nil {
				m.Failed(ctx, e)
			}
		},
	})
}

// commandShape is "collection filter{a,b} sort{c}" for a command.
func commandShape(name string, cmd bson.Raw) string {
	var sb strings.Builder
	if v, err := cmd.LookupErr(name); err == nil {
		if s, ok := v.StringValueOK(); ok {
			sb.WriteString(s)
		}
	}
	keys := func(label string, v bson.RawValue) {
		doc, ok := v.DocumentOK()
		if !ok {
			return
		}
		els, err := doc.Elements()
		if err != nil {
			return
		}
		sb.WriteString(" " + label + "{")
		for i, el := range els {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(el.Key())
		}
		sb.WriteByte('}')
	}
	for _, f := range []string{"filter", "sort", "q"} {
		if v, err := cmd.LookupErr(f); err == nil {
			keys(f, v)
		}
	}
	// updates and deletes carry their filters in an array of statements
	for _, arr := range []string{"updates", "deletes"} {
		if v, err := cmd.LookupErr(arr, "0", "q"); err == nil {
			keys(arr+".q", v)
		}
	}
	if v, err := cmd.LookupErr("pipeline"); err == nil {
		if a, ok := v.ArrayOK(); ok {
			vals, _ := a.Values()
			for _, st := range vals {
				if d, ok := st.DocumentOK(); ok {
					if els, err := d.Elements(); err == nil && len(els) > 0 {
						sb.WriteString(" " + els[0].Key())
						if els[0].Key() == "$match" {
							keys("", els[0].Value())
						}
					}
				}
			}
		}
	}
	return sb.String()
}
