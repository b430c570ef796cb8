package web

import (
	"bufio"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// ConsoleEventsPath is the console's Server-Sent Events stream; a reverse
// proxy in front must pass it through unbuffered (deploy/nginx.conf).
const ConsoleEventsPath = "/staff/console/events"

// consoleHeartbeat keeps idle event streams open through proxies.
const consoleHeartbeat = 15 * time.Second

// consoleStreamLife ends each event stream cleanly before the server's
// 60 s write timeout would cut it mid-event. The browser reconnects after
// the "retry" delay and sends Last-Event-ID, and the broker replays what
// was published in between, so no incoming call is missed.
const consoleStreamLife = 50 * time.Second

// consoleEvents: GET /staff/console/events, a Server-Sent Events stream of
// call events for the operator console. Each event carries an id; the
// stream ends when the server shuts down (the broker closes its
// subscriptions) or after consoleStreamLife, and the browser's EventSource
// reconnects by itself within the "retry" delay, sending the last id it
// saw so that events in the gap are replayed.
func (s *Server) consoleEvents(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	lastID, _ := strconv.ParseInt(c.Get("Last-Event-ID"), 10, 64)
	events, cancel := s.Hotline.Broker.SubscribeAfter(max(lastID, 0))
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		// A comment line first, so that the headers go out at once and the
		// browser knows it is connected.
		if _, err := w.WriteString("retry: 1000\n: connected\n\n"); err != nil || w.Flush() != nil {
			return
		}
		tick := time.NewTicker(consoleHeartbeat)
		defer tick.Stop()
		end := time.NewTimer(consoleStreamLife)
		defer end.Stop()
		for {
			select {
			case <-end.C:
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				b, err := json.Marshal(ev)
				if err != nil {
					continue
				}
				w.WriteString("id: " + strconv.FormatInt(ev.ID, 10) + "\nevent: call\ndata: ")
				w.Write(b)
				w.WriteString("\n\n")
			case <-tick.C:
				w.WriteString(": ping\n\n")
			}
			if err := w.Flush(); err != nil {
				return // the console went away
			}
		}
	})
	return nil
}
