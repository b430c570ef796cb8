package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/civicdesk/civicdesk/internal/app"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/workers"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

// Main is the command with its outputs and environment injected, so tests
// can run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// LookupEnv, when set, tells an unset variable from one set empty
	// (CIVICDESK_SMTP_ADDR= turns SMTP off); without it an empty value
	// from Getenv counts as unset.
	LookupEnv func(string) (string, bool)
}

const usage = `usage: civicdesk [command] [flags]

commands:
  serve      web, workers and reconciler in one process (the default)
  web        the HTTP server and inbound SMTP (CIVICDESK_SMTP_ADDR=off: HTTP only)
  worker     the queue workers and reconciler only
  smtp       the inbound SMTP listener only
  seed       load agencies and categories from the seed file
  reindex    rebuild the search index from the store
  callers    rebuild: rebuild the hotline's per-caller history index
  reports    rebuild: recompute the report rollups from the tickets and calls
  provinces  migrate: move tickets stored with a pre-2025 province to its current unit
  calendar   holidays --year Y | add --from YYYY-MM-DD --working-days N
  config     print the effective configuration, secrets masked
  version    print the version

Run "civicdesk config" to see every setting and its environment variable.
`

// Run runs one command and returns the process exit code.
func (m Main) Run(ctx context.Context, args []string) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(m.Stdout, "civicdesk", version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return 0
	}
	var rest []string
	lookup := m.LookupEnv
	if lookup == nil {
		lookup = func(k string) (string, bool) { v := m.Getenv(k); return v, v != "" }
	}
	cfg, rest, err := config.Load(lookup, configArgs(cmd, args), m.Stderr)
	if err != nil {
		fmt.Fprintln(m.Stderr, "civicdesk:", err)
		return 2
	}
	if cmd == "calendar" {
		rest = args
	}
	log := newLogger(m.Stderr, cfg)
	switch cmd {
	case "config":
		config.Print(m.Stdout, cfg)
		return 0
	case "serve", "web", "worker", "smtp", "seed", "reindex", "calendar", "callers",
		"reports", "provinces":
	default:
		fmt.Fprintf(m.Stderr, "civicdesk: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := m.run(ctx, cmd, cfg, log, rest); err != nil {
		var ue *calendar.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(m.Stderr, "civicdesk calendar:", err)
			return 2
		}
		log.Error(cmd+" failed", "err", err)
		return 1
	}
	return 0
}

// configArgs: the calendar command has flags of its own, so only the
// others hand their flags to the configuration parser.
func configArgs(cmd string, args []string) []string {
	if cmd == "calendar" {
		return nil
	}
	return args
}

func (m Main) run(ctx context.Context, cmd string, cfg *config.Config, log *slog.Logger, rest []string) error {
	if cmd == "calendar" {
		cal, err := calendarFor(ctx, cfg)
		if err != nil {
			return err
		}
		return calendar.Command(rest, m.Stdout, cal, desk.SystemClock{}.Now())
	}
	a, err := app.Open(ctx, cfg, log, app.Options{NoAdmin: cmd == "seed" || cmd == "reindex" || cmd == "callers" || cmd == "reports" || cmd == "provinces",
		SharedStore: cmd == "web" || cmd == "worker"})
	if err != nil {
		return err
	}
	defer a.Close()
	switch cmd {
	case "serve":
		return a.Serve(ctx)
	case "web":
		return a.RunWeb(ctx, nil)
	case "worker":
		return a.RunWorker(ctx)
	case "smtp":
		return a.RunSMTP(ctx)
	case "seed":
		if err := a.Seed(ctx); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, "catalog seeded")
		return nil
	case "reindex":
		return m.reindex(ctx, a)
	case "reports": // issue 9: rebuild the rollups from scratch
		if len(rest) != 1 || rest[0] != "rebuild" {
			return errors.New(`usage: civicdesk reports rebuild`)
		}
		n, err := a.Reports().Rebuild(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "report rollups rebuilt from %d tickets\n", n)
		return nil
	case "provinces":
		// Tickets stored with a pre-July-2025 province name move to the
		// unit it merged into; safe to run again.
		if len(rest) != 1 || rest[0] != "migrate" {
			return errors.New(`usage: civicdesk provinces migrate`)
		}
		res, err := a.MigrateProvinces(ctx)
		if err != nil {
			return err
		}
		for _, l := range res.Lines() {
			fmt.Fprintln(m.Stdout, l)
		}
		return nil
	case "callers":
		// The per-caller index heals itself caller by caller on lookup;
		// this rebuilds it whole, e.g. after importing tickets or calls
		// straight into the database.
		if len(rest) != 1 || rest[0] != "rebuild" {
			return errors.New(`usage: civicdesk callers rebuild`)
		}
		n, err := a.Store.RebuildCallers(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "caller index rebuilt: %d callers\n", n)
		return nil
	}
	return nil
}

// reindex rebuilds the search index from Mongo into a fresh generation and
// swaps it in, showing progress, then checks the counts agree.
func (m Main) reindex(ctx context.Context, a *app.App) error {
	total, err := a.Store.CountTickets(ctx)
	if err != nil {
		return err
	}
	if !a.SearchOn() {
		return errors.New("search is turned off (CIVICDESK_SEARCH=none): there is no index to rebuild")
	}
	rb, ok := a.Index.(search.Rebuilder)
	if !ok {
		return errors.New("this search backend cannot rebuild")
	}
	now := a.Clock.Now()
	err = rb.Rebuild(ctx, int(total), func(ctx context.Context, put func(...search.Doc) error) error {
		batch := make([]search.Doc, 0, 500)
		err := a.Store.EachTicket(ctx, func(t *desk.Ticket) error {
			batch = append(batch, workers.TicketDoc(t, now))
			if len(batch) == cap(batch) {
				if err := put(batch...); err != nil {
					return err
				}
				batch = make([]search.Doc, 0, 500) // put may keep the slice
			}
			return nil
		})
		if err != nil {
			return err
		}
		return put(batch...)
	}, m.Stderr)
	if err != nil {
		return err
	}
	n, err := a.Index.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reindexed: store has %d tickets, index has %d\n", total, n)
	if int64(n) != total {
		return fmt.Errorf("index count %d does not match store count %d", n, total)
	}
	return nil
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
