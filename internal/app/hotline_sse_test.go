package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// sseEvent is one "call" event read off the console stream.
type sseEvent struct {
	ID    string
	Phone string
}

// openConsoleStream connects to the operator console's event stream with a
// session cookie, optionally resuming after lastID, and returns the call
// events as they arrive. The stream closes with the test or with stop.
func openConsoleStream(t *testing.T, url, token, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/staff/console/events", nil)
	req.AddCookie(&http.Cookie{Name: "cd_session", Value: token})
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("console stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var id string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				var ev struct {
					Phone string `json:"phone"`
				}
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev)
				out <- sseEvent{ID: id, Phone: ev.Phone}
			}
		}
	}()
	stop := func() {
		cancel()
		for range out {
		}
	}
	t.Cleanup(stop)
	return out, stop
}

func nextEvent(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("console stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no console event within 5 s")
	}
	return sseEvent{}
}

// A console that loses its event stream (the server ends each stream
// before its write timeout; networks drop) reconnects with the last event
// id it saw and is sent the calls that came in meanwhile, and only those.
func TestConsoleStreamReplaysMissedCalls(t *testing.T) {
	e := startHotline(t, &stepClock{t: time.Now()})
	op := e.CreateUser("op.sse@example.gov.vn", desk.RoleOperator, "")

	events, stop := openConsoleStream(t, e.URL, op, "")
	if r := cti(e, false, map[string]any{"event": "newCall", "callId": "sse-1", "from": "0912345671", "to": "19001234", "direction": "in"}); r.Status != 200 {
		t.Fatalf("cti: %d %s", r.Status, r.Body)
	}
	first := nextEvent(t, events)
	if first.Phone != "+84912345671" || first.ID == "" {
		t.Fatalf("first event: %+v", first)
	}
	stop()

	// Two calls arrive while the console is disconnected.
	for _, n := range []string{"0912345672", "0912345673"} {
		if r := cti(e, false, map[string]any{"event": "newCall", "callId": "sse-" + n, "from": n, "to": "19001234", "direction": "in"}); r.Status != 200 {
			t.Fatalf("cti: %d %s", r.Status, r.Body)
		}
	}
	events, _ = openConsoleStream(t, e.URL, op, first.ID)
	got := []string{nextEvent(t, events).Phone, nextEvent(t, events).Phone}
	if got[0] != "+84912345672" || got[1] != "+84912345673" {
		t.Fatalf("replayed after reconnect: %v, want the two calls missed, in order", got)
	}
	select {
	case ev := <-events:
		t.Fatalf("unexpected extra event after replay: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}

	// A new console (no Last-Event-ID) gets no replay of old calls.
	fresh, _ := openConsoleStream(t, e.URL, op, "")
	select {
	case ev := <-fresh:
		t.Fatalf("a new console was sent an old call: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
}
