package web

import (
	"bufio"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
)

// consoleHeartbeat keeps idle event streams open through proxies.
const consoleHeartbeat = 15 * time.Second

// consoleEvents: GET /staff/console/events, a Server-Sent Events stream of
// call events for the operator console. The stream ends when the server
// shuts down (the broker closes its subscriptions) or at the server's write
// timeout; the browser's EventSource reconnects by itself within the
// "retry" delay.
func (s *Server) consoleEvents(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	events, cancel := s.Hotline.Broker.Subscribe()
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
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				b, err := json.Marshal(ev)
				if err != nil {
					continue
				}
				w.WriteString("event: call\ndata: ")
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
