package web

import (
	"bufio"
	"context"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/reports"
)

// exportTimeout bounds one streamed export.
const exportTimeout = 15 * time.Minute

var exportTypes = map[string]string{
	reports.FormatCSV:  "text/csv; charset=utf-8",
	reports.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// exportTickets serves GET /staff/export/tickets.{csv,xlsx} and
// /api/v1/exports/tickets.{csv,xlsx} with the inbox's filters (status,
// comma-separated or repeated; agency) and a creation-day range (from, to).
// The file streams: the browser shows the download's progress as rows
// arrive, and memory stays bounded whatever the number of rows.
func (s *Server) exportTickets(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := userOf(c)
		var statuses []string
		for _, v := range c.Context().QueryArgs().PeekMulti("status") {
			for _, st := range strings.Split(string(v), ",") {
				statuses = append(statuses, strings.TrimSpace(st))
			}
		}
		q, err := s.Reports.ParseExport(u, format, statuses, c.Query("agency"), c.Query("from"), c.Query("to"))
		if err != nil {
			s.Log.Info("export: bad request", "user", u.ID, "err", err)
			return err
		}
		s.Audit.Record(c.UserContext(), audit.Entry{Actor: u, Action: "export.tickets", Target: "tickets." + format, IP: c.IP(),
			After: map[string]any{"format": format, "statuses": q.Filter.Statuses, "agency": q.Filter.Agency,
				"from": c.Query("from"), "to": c.Query("to")}})
		actor := *u // Fiber reuses the request; the stream runs after the handler returns
		name := "phieu-" + reports.DayKey(s.Clock.Now()) + "." + format
		return s.stream(c, format, name, func(ctx context.Context, w *deadlineWriter) (int, error) {
			return s.Reports.ExportTickets(ctx, &actor, q, w)
		})
	}
}

// exportReport serves GET /staff/export/report.{csv,xlsx} and the API's:
// the periodic report per agency in the caller's scope over from–to
// (default: the last 30 days).
func (s *Server) exportReport(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := userOf(c)
		if _, err := s.Reports.ScopeAgencies(u); err != nil {
			return err
		}
		p, err := reports.ParsePeriod(c.Query("from"), c.Query("to"), s.Clock.Now(), 30)
		if err != nil {
			return err
		}
		s.Audit.Record(c.UserContext(), audit.Entry{Actor: u, Action: "export.report", Target: "report." + format, IP: c.IP(),
			After: map[string]string{"from": p.From, "to": p.To}})
		actor := *u
		name := "bao-cao-" + p.From + "-" + p.To + "." + format
		return s.stream(c, format, name, func(ctx context.Context, w *deadlineWriter) (int, error) {
			return 0, s.Reports.ExportReport(ctx, &actor, p, format, w)
		})
	}
}

// stream sends an attachment whose body write produces after the handler
// returns. An error mid-stream cannot change the status any more: it is
// logged and the file ends short.
func (s *Server) stream(c *fiber.Ctx, format, filename string, write func(context.Context, *deadlineWriter) (int, error)) error {
	c.Set(fiber.HeaderContentType, exportTypes[format])
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	log := s.Log
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		start := time.Now()
		w := &deadlineWriter{Writer: bw, conn: conn}
		n, err := write(ctx, w)
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		if err != nil {
			log.Warn("export failed mid-stream", "file", filename, "rows", n, "err", err)
			return
		}
		log.Info("export done", "file", filename, "rows", n, "ms", time.Since(start).Milliseconds())
	})
	return nil
}

// requireReports refuses roles that have no reports (operators).
func (s *Server) requireReports(c *fiber.Ctx) error {
	if _, err := s.Reports.ScopeAgencies(userOf(c)); err != nil {
		return err
	}
	return c.Next()
}

// deadlineWriter renews the connection's write deadline on each flush.
// The server's WriteTimeout bounds a whole response, which a large export
// on a slow store can exceed while still making progress; renewed per
// flush, it bounds only a stall.
type deadlineWriter struct {
	*bufio.Writer
	conn    net.Conn
	renewed time.Time
}

// Flush sends what is buffered, first renewing the deadline.
func (d *deadlineWriter) Flush() error {
	d.renew()
	return d.Writer.Flush()
}

// Write renews the deadline too: an XLSX file is written whole at the
// end, through the buffer, after however long the rows took.
func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.renew()
	return d.Writer.Write(p)
}

func (d *deadlineWriter) renew() {
	if d.conn != nil && time.Since(d.renewed) > time.Second {
		_ = d.conn.SetWriteDeadline(time.Now().Add(streamStall))
		d.renewed = time.Now()
	}
}

// streamStall is how long one flush of an export may block.
const streamStall = time.Minute
